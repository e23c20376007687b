// Serving metrics with vLLM's names, types and bucket bounds (spec/api.md §7), owned by the Engine
// (Engine::metrics()). The scheduler thread calls the hooks below; HTTP threads take a snapshot() to
// render `GET /metrics` (api/metrics_endpoint). One mutex guards everything: hooks run a handful of
// times per step, far below the cost of a forward pass.
//
// Two layers of hooks:
//  - the plain ones (on_preemption, on_prefix_cache_query, set_kv_usage, set_running/waiting,
//    on_iteration, on_first_token, on_token_gap, on_request_finished) take ready-made values;
//  - the RequestTimeline ones (on_scheduled, on_token, on_finished) keep the per-request timestamps
//    vLLM's frontend keeps (arrival, first scheduled, first token, last token) and call the plain ones,
//    so a scheduler only has to hold one RequestTimeline per sequence.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/generation_request.h"

namespace hy {

// A Prometheus histogram: `bounds` are the finite upper bounds (ascending); the +Inf bucket is implicit.
struct Histogram {
    std::vector<double> bounds;
    std::vector<uint64_t> counts;  // per bucket, NOT cumulative; size bounds.size() + 1 (last = +Inf)
    double sum = 0.0;
    uint64_t count = 0;

    Histogram() = default;
    explicit Histogram(std::vector<double> upper_bounds);
    void observe(double v);
    uint64_t cumulative(size_t bucket) const;  // what Prometheus' `_bucket{le=bounds[bucket]}` shows
};

// vLLM's bucket bounds (vllm/v1/metrics/loggers.py).
namespace metric_buckets {
std::vector<double> ttft();                           // time_to_first_token_seconds
std::vector<double> token_latency();                  // inter_token_latency / request_time_per_output_token
std::vector<double> request_latency();                // e2e / queue / inference / prefill / decode seconds
std::vector<double> one_two_five(int64_t max_value);  // 1, 2, 5, 10, 20, 50, … ≤ max_value
std::vector<double> iteration_tokens();
std::vector<double> params_n();
}  // namespace metric_buckets

// Index into MetricsSnapshot::success (request_success_total{finished_reason}).
inline constexpr std::array<FinishReason, 4> kCountedFinishReasons = {
    FinishReason::STOP, FinishReason::LENGTH, FinishReason::ABORT, FinishReason::ERROR};

// One consistent copy of every metric, taken under the lock.
struct MetricsSnapshot {
    // gauges
    int64_t running = 0;
    int64_t waiting = 0;
    double kv_cache_usage = 0.0;  // 0..1
    // counters
    uint64_t prompt_tokens = 0;
    uint64_t generation_tokens = 0;
    uint64_t preemptions = 0;
    uint64_t prefix_cache_queries = 0;  // tokens looked up
    uint64_t prefix_cache_hits = 0;     // tokens found
    std::array<uint64_t, kCountedFinishReasons.size()> success{};
    // speculative decoding (vllm:spec_decode_*); spec_accepted_per_pos is empty when it is off
    uint64_t spec_drafts = 0;           // verification steps with at least one draft
    uint64_t spec_draft_tokens = 0;     // drafts verified
    uint64_t spec_accepted_tokens = 0;  // drafts accepted
    std::vector<uint64_t> spec_accepted_per_pos;
    // histograms
    Histogram ttft, itl, tpot;
    Histogram e2e, queue, inference, prefill, decode;
    Histogram prompt_len, generation_len, max_tokens, params_n, iteration_tokens;
    // vllm:cache_config_info (gauge = 1, the cache configuration as labels); empty until set.
    std::vector<std::pair<std::string, std::string>> cache_config;
};

struct FinishedRequestStats {
    FinishReason reason = FinishReason::STOP;
    int64_t prompt_tokens = 0;
    int64_t generation_tokens = 0;
    int64_t max_tokens = 0;  // the request's max_tokens parameter
    double queue_s = 0.0;    // arrival → first scheduled
    double prefill_s = 0.0;  // first scheduled → first token
    double decode_s = 0.0;   // first token → last token
    double e2e_s = 0.0;      // arrival → finish
};

// Per-request timestamps, held by the scheduler beside each sequence. `arrival` is the time the request
// entered Engine::submit (RequestStream::arrival()); a preempted request keeps its first `scheduled`.
struct RequestTimeline {
    using Clock = std::chrono::steady_clock;
    Clock::time_point arrival = Clock::now();
    std::optional<Clock::time_point> scheduled, first_token, last_token;
    int64_t generated = 0;
};

class EngineMetrics {
  public:
    using Clock = std::chrono::steady_clock;
    explicit EngineMetrics(int64_t max_model_len = 131072);

    // --- plain hooks ---
    void on_preemption();
    void on_prefix_cache_query(int64_t tokens, int64_t hit_tokens);
    void set_kv_usage(double fraction);
    void set_running(int64_t n);
    void set_waiting(int64_t n);
    void on_iteration(int64_t tokens);  // tokens fed to one forward step (iteration_tokens_total)
    // The first generated token: counts it, and the prompt's tokens (vLLM counts prompt tokens when the
    // prefill completes).
    void on_first_token(double ttft_s, int64_t prompt_tokens);
    void on_token_gap(double itl_s);  // a later token: counts it and observes the inter-token latency
    void on_request_finished(const FinishedRequestStats& s);
    void on_request_params_n(int64_t n);  // per API request (the engine only sees single sequences)
    void set_cache_config(std::vector<std::pair<std::string, std::string>> labels);
    void set_num_speculative_tokens(int64_t n);  // sizes the per-position counter (0 = off)
    // One verification step: `drafts` fed, the first `accepted` of them accepted.
    void on_spec_decode(int64_t drafts, int64_t accepted);

    // --- timeline hooks ---
    void on_scheduled(RequestTimeline& t, Clock::time_point now = Clock::now());
    void on_token(RequestTimeline& t, int64_t prompt_tokens, Clock::time_point now = Clock::now());
    void on_finished(const RequestTimeline& t, FinishReason reason, int64_t prompt_tokens, int64_t max_tokens,
                     Clock::time_point now = Clock::now());

    MetricsSnapshot snapshot() const;

  private:
    mutable std::mutex mu_;
    MetricsSnapshot m_;
};

}  // namespace hy
