#include "engine/engine.h"

#include "engine/scheduler.h"

namespace hy {

Engine::Engine(const ModelWeights& weights, ThreadPool& pool, EngineOptions options)
    : metrics_(options.max_model_len),
      scheduler_(std::make_unique<Scheduler>(weights, pool, options, metrics_)),
      window_(options.admission_window) {
    // vLLM's CacheConfig.metrics_info() names (Python spellings of bools and None), plus ours for the
    // Mamba state that vLLM has no field for.
    const CachePlan& plan = scheduler_->plan();
    const CacheOptions& c = options.cache;
    metrics_.set_cache_config({{"block_size", std::to_string(c.block_size)},
                               {"enable_prefix_caching", c.enable_prefix_caching ? "True" : "False"},
                               {"num_gpu_blocks", std::to_string(plan.num_blocks)},
                               {"num_cpu_blocks", "None"},
                               {"mamba_cache_mode", mamba_cache_mode_name(c.mamba_cache_mode)},
                               {"mamba_ssm_cache_dtype", ssm_cache_dtype_name(c.ssm_cache.dtype)},
                               {"num_mamba_slots", std::to_string(plan.num_slots)},
                               {"num_mamba_snapshots", std::to_string(plan.num_snapshots)}});
    thread_ = std::thread([this] { loop(); });
}

Engine::~Engine() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

std::shared_ptr<RequestStream> Engine::submit(GenerationRequest request) {
    auto stream = std::make_shared<RequestStream>(next_id_.fetch_add(1));
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (stop_ || dead_) {
            TokenEvent ev;
            ev.finish = FinishReason::ERROR;
            ev.error = "engine stopped";
            stream->push(std::move(ev));
            return stream;
        }
        window_.on_arrival(stream->arrival());
        queue_.push_back({std::move(request), stream});
        metrics_.set_waiting(static_cast<int64_t>(queue_.size()));
    }
    cv_.notify_all();
    return stream;
}

void Engine::abort(const std::shared_ptr<RequestStream>& stream, FinishReason reason) {
    if (!stream) return;
    stream->request_abort(reason);
    cv_.notify_all();
}

EngineStats Engine::stats() const {
    std::lock_guard<std::mutex> lock(mu_);
    return {running_.load(), static_cast<int64_t>(queue_.size()) + sched_waiting_.load()};
}

void Engine::loop() {
    for (;;) {
        {
            std::unique_lock<std::mutex> lock(mu_);
            cv_.wait(lock, [&] { return stop_ || !queue_.empty() || !scheduler_->idle(); });
            if (stop_) break;
            // A burst still arriving stays queued: the engine sleeps if it has nothing else to run,
            // otherwise it steps the running requests without the burst.
            bool hold = false;
            if (!queue_.empty()) {
                const auto at = window_.admit_at(queue_.front().stream->arrival());
                if (AdmissionWindow::Clock::now() < at) {
                    if (scheduler_->idle()) {
                        cv_.wait_until(lock, at);
                        continue;
                    }
                    hold = true;
                }
            }
            while (!hold && !queue_.empty()) {  // the scheduler keeps its own waiting queue
                Pending p = std::move(queue_.front());
                queue_.pop_front();
                if (p.stream->abort_requested()) {
                    RequestTimeline t;
                    t.arrival = p.stream->arrival();
                    metrics_.on_finished(t, p.stream->abort_reason(),
                                         static_cast<int64_t>(p.request.prompt.size()),
                                         p.request.sampling.max_tokens);
                    TokenEvent ev;
                    ev.finish = FinishReason::ABORT;
                    p.stream->push(std::move(ev));
                    continue;
                }
                scheduler_->add(std::move(p.request), std::move(p.stream));
            }
            metrics_.set_waiting(scheduler_->waiting());
        }
        try {
            scheduler_->step();
        } catch (const std::exception&) {
            // An invariant failure inside the model: nothing more can be trusted (health → 503).
            dead_ = true;
            scheduler_->abort_all();
        }
        running_ = scheduler_->running();
        sched_waiting_ = scheduler_->waiting();
        metrics_.set_waiting(scheduler_->waiting());
        metrics_.set_running(running_);
    }
    scheduler_->abort_all();
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& p : queue_) {
        TokenEvent ev;
        ev.finish = FinishReason::ABORT;
        p.stream->push(std::move(ev));
    }
    queue_.clear();
}

}  // namespace hy
