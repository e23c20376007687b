// The generation engine: HTTP threads submit requests and read their per-request stream; one engine
// thread owns all model state and runs the scheduling loop (spec/architecture.md "Threads"): the
// continuous-batching Scheduler (scheduler.h) over paged KV blocks and Mamba state slots (issue 6).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "core/thread_pool.h"
#include "engine/admission_window.h"
#include "engine/cache_options.h"
#include "engine/engine_metrics.h"
#include "engine/generation_request.h"
#include "engine/request_stream.h"
#include "engine/scheduling_policy.h"
#include "model/model_weights.h"

namespace hy {

class Scheduler;

struct EngineOptions {
    SchedulingPolicy policy = SchedulingPolicy::FCFS;
    int max_num_seqs = 256;                 // running sequences per step
    int64_t max_num_batched_tokens = 2048;  // prompt tokens fed per step (chunked prefill)
    // vLLM's --long-prefill-token-threshold: at most this many of one prompt's tokens per step (0 = no
    // cap but the budget), so a long prompt leaves room in each step for others' prompts and decodes.
    int64_t long_prefill_token_threshold = 0;
    int64_t max_model_len = 131072;  // only sizes the token-count metric buckets
    CacheOptions cache;              // KV blocks, Mamba slots and snapshots (issue 6)
    // MTP speculative decoding (docs/engine.md "Speculative decoding"): drafts per step, 0 = off.
    int num_speculative_tokens = 0;
    // Burst coalescing (admission_window.h): 0 admits every request as soon as it arrives.
    std::chrono::microseconds admission_window{0};
};

struct EngineStats {
    int64_t running = 0;
    int64_t waiting = 0;
};

class Engine {
  public:
    Engine(const ModelWeights& weights, ThreadPool& pool, EngineOptions options = {});
    ~Engine();  // stops the loop; unfinished requests get an ABORT event
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    std::shared_ptr<RequestStream> submit(GenerationRequest request);
    // Marks the request aborted; the loop drops it at its next step. `reason` is what the metrics count
    // (STOP when the API layer matched a stop string, ABORT when the client went away).
    void abort(const std::shared_ptr<RequestStream>& stream, FinishReason reason = FinishReason::ABORT);
    EngineStats stats() const;
    bool alive() const { return !dead_.load(); }
    EngineMetrics& metrics() { return metrics_; }
    // The scheduler's pools and counters, for the startup log and tests: read them only while no request
    // is in flight (the engine thread owns them).
    const Scheduler& scheduler() const { return *scheduler_; }

  private:
    struct Pending {
        GenerationRequest request;
        std::shared_ptr<RequestStream> stream;
    };
    void loop();

    EngineMetrics metrics_;  // before scheduler_: the scheduler holds a reference
    std::unique_ptr<Scheduler> scheduler_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Pending> queue_;
    AdmissionWindow window_;  // under mu_
    bool stop_ = false;
    std::atomic<bool> dead_{false};
    std::atomic<uint64_t> next_id_{1};
    std::atomic<int64_t> running_{0};
    std::atomic<int64_t> sched_waiting_{0};  // admitted to the scheduler, not yet running
    std::thread thread_;
};

}  // namespace hy
