// The simple batched loop of issue 5: every step admits waiting requests up to max_num_seqs, feeds
// each new one a prefill chunk, and decodes one token for every running sequence, all in ONE
// Forward::run call. Each sequence owns a LocalSequenceState; issue 6 replaces this with a scheduler
// over paged KV and Mamba slots.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/thread_pool.h"
#include "engine/engine.h"
#include "engine/sampler.h"
#include "model/forward.h"

namespace hy {

class SimpleScheduler {
  public:
    SimpleScheduler(const ModelWeights& weights, ThreadPool& pool, EngineOptions options,
                    EngineMetrics& metrics);
    ~SimpleScheduler();

    void add(GenerationRequest request, std::shared_ptr<RequestStream> stream);
    bool has_capacity() const { return static_cast<int>(seqs_.size()) < opt_.max_num_seqs; }
    bool idle() const { return seqs_.empty(); }
    int64_t running() const { return static_cast<int64_t>(seqs_.size()); }
    void step();       // one forward over all running sequences
    void abort_all();  // shutdown: every sequence gets ABORT

  private:
    struct Seq {
        GenerationRequest req;
        std::shared_ptr<RequestStream> stream;
        std::unique_ptr<LocalSequenceState> state;
        std::unique_ptr<Sampler> sampler;
        size_t prompt_fed = 0;      // prompt tokens already in the state
        std::vector<int32_t> feed;  // this step's new tokens
        int32_t last_token = -1;
        bool done = false;
        RequestTimeline times;
    };
    void finish(Seq& s, FinishReason reason, std::string error = {});

    EngineOptions opt_;
    EngineMetrics& metrics_;
    Forward fwd_;
    std::vector<std::unique_ptr<Seq>> seqs_;
    uint64_t seed_counter_;
};

}  // namespace hy
