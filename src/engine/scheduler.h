// The continuous-batching scheduler (issue 6, vLLM V1 style). Every step decides {request → new
// tokens} under max_num_batched_tokens and max_num_seqs — running requests first (a decode token, or
// the next chunk of a prompt), then waiting ones in arrival order, or (priority, arrival) order under
// SchedulingPolicy::PRIORITY — and runs ONE
// Forward::run over all of them. A request is just `tokens` (prompt + output) and `num_computed`;
// when a step brings num_computed to tokens.size(), the logits row is sampled and the token appended.
// So preemption is recompute: a preempted request (the most recently admitted, when a running one
// cannot get a KV block) drops its blocks and slot, goes back to the waiting queue and later feeds
// prompt + output again without re-emitting anything.
//
// Memory: K/V in ref-counted blocks of a KvBlockPool, Mamba state in a MambaStatePool slot, both
// behind a PagedSequenceState. Prefix caching: full blocks are published under their hash chain;
// a snapshot of the slot is stored at chosen block boundaries (cache_options.h MambaCacheMode), and a
// new request resumes at the longest prefix that has both its blocks and a snapshot.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/thread_pool.h"
#include "engine/cache_options.h"
#include "engine/engine.h"
#include "engine/kv_block_pool.h"
#include "engine/mamba_snapshot_store.h"
#include "engine/mamba_state_pool.h"
#include "engine/mtp_drafter.h"
#include "engine/paged_sequence_state.h"
#include "engine/sampler.h"
#include "engine/speculative_states.h"
#include "model/forward.h"

namespace hy {

// Counts for tests and the startup log; read on the engine thread or after it stopped.
struct SchedulerCounters {
    int64_t preemptions = 0;
    int64_t prefix_queries = 0;  // tokens looked up
    int64_t prefix_hits = 0;     // tokens resumed from the cache
    int64_t steps = 0;
    int64_t finished = 0;
    int64_t spec_drafts = 0;    // speculative steps verified (docs/engine.md "Speculative decoding")
    int64_t spec_proposed = 0;  // draft tokens verified
    int64_t spec_accepted = 0;  // draft tokens accepted
};

class Scheduler {
  public:
    Scheduler(const ModelWeights& weights, ThreadPool& pool, EngineOptions options, EngineMetrics& metrics);
    ~Scheduler();

    void add(GenerationRequest request, std::shared_ptr<RequestStream> stream);
    bool idle() const { return running_.empty() && waiting_.empty(); }
    int64_t running() const { return static_cast<int64_t>(running_.size()); }
    int64_t waiting() const { return static_cast<int64_t>(waiting_.size()); }
    void step();       // one forward over everything scheduled
    void abort_all();  // shutdown: every request gets ABORT

    const CachePlan& plan() const { return plan_; }
    const SchedulerCounters& counters() const { return counters_; }
    const KvBlockPool& blocks() const { return blocks_; }
    const MambaStatePool& slots() const { return slots_; }
    const MambaSnapshotStore& snapshots() const { return snapshots_; }

  private:
    struct Request;
    using Ptr = std::unique_ptr<Request>;

    bool caching() const;
    // The phases of step(), in order.
    void drop_aborted();
    bool schedule_running(int64_t& budget, std::vector<Request*>& sched);  // true: someone was preempted
    void admit_waiting(int64_t& budget, std::vector<Request*>& sched);
    void build_batch(const std::vector<Request*>& sched, std::vector<SequenceInput>& batch,
                     std::vector<char>& prompt_rows);
    void take_outputs(const std::vector<Request*>& sched, const std::vector<SequenceInput>& batch,
                      const std::vector<char>& prompt_rows, const ForwardOutput& out);
    void finish_step(const std::vector<Request*>& sched);
    void finish(Request& r, FinishReason reason, std::string error = {});
    void preempt(Request& r);
    bool admit(Request& r, int64_t budget);
    int64_t lookup_prefix(Request& r);  // blocks resumable from the cache
    bool grow(Request& r, int64_t n_tokens);
    int64_t chunk(const Request& r, int64_t budget) const;
    bool snapshot_point(const Request& r, int64_t t) const;
    std::vector<int64_t> capture_points(const Request& r) const;
    void ensure_hashes(Request& r, int64_t n_blocks);
    void after_forward(Request& r);
    int32_t emit(Request& r, const float* logits, int64_t V);  // the sampled token
    bool speculating(const Request& r) const;
    int64_t decode_drafts(const Request& r, int64_t budget) const;
    void verify(Request& r, const ForwardOutput& out, int64_t first_row);
    int64_t rank(const Request& r) const;  // the priority the policy orders by (0 under FCFS)
    void insert_waiting(Ptr r);

    EngineOptions opt_;
    EngineMetrics& metrics_;
    ThreadPool& pool_;
    Forward fwd_;
    CachePlan plan_;
    KvBlockPool blocks_;
    MambaStatePool slots_;
    MambaSnapshotStore snapshots_;
    std::unique_ptr<MtpDrafter> mtp_;  // null unless num_speculative_tokens > 0
    std::vector<int64_t> attn_index_;  // trunk layer → attention layer index or -1
    // The Mamba states captured inside one step's tokens (set_capture_points), read by after_forward:
    // grown to the largest step so far and kept, so that its pages are faulted in once.
    std::vector<float> capture_images_;
    int64_t vocab_;
    std::vector<Ptr> running_;  // admission order
    std::vector<Ptr> waiting_;  // (rank, arrival) order
    uint64_t arrivals_ = 0, admissions_ = 0;
    uint64_t seed_counter_;
    SchedulerCounters counters_;
    // Streams given a token this step, woken together once every token of the step is sampled: each
    // wake-up can put the consumer's HTTP thread on this core (and on a 2-core machine a woken
    // thread preempts the engine), which in the sampling loop made it serial (~30 us a stream).
    std::vector<std::shared_ptr<RequestStream>> to_wake_;
    static constexpr int64_t kWakesPerTask = 4;  // this many or fewer stay on the engine's thread
    void wake_streams();
};

}  // namespace hy
