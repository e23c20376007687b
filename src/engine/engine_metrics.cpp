#include "engine/engine_metrics.h"

#include <algorithm>

namespace hy {

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds(std::move(upper_bounds)), counts(bounds.size() + 1, 0) {}

void Histogram::observe(double v) {
    // Prometheus buckets are "less than or equal": v lands in the first bound >= v.
    const size_t i = static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), v) - bounds.begin());
    ++counts[i];
    sum += v;
    ++count;
}

uint64_t Histogram::cumulative(size_t bucket) const {
    uint64_t c = 0;
    for (size_t i = 0; i <= bucket && i < counts.size(); ++i) c += counts[i];
    return c;
}

namespace metric_buckets {

std::vector<double> ttft() {
    return {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1,  0.25,  0.5,   0.75,
            1.0,   2.5,   5.0,  7.5,  10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0};
}

std::vector<double> token_latency() {
    return {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2,  0.3,  0.4, 0.5,
            0.75, 1.0,   2.5,  5.0,   7.5, 10.0, 20.0, 40.0, 80.0};
}

std::vector<double> request_latency() {
    return {0.3,  0.5,  0.8,  1.0,  1.5,   2.0,   2.5,   5.0,   10.0,   15.0,  20.0,
            30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0};
}

std::vector<double> one_two_five(int64_t max_value) {
    // vLLM's build_1_2_5_buckets: 1, 2, 5, 10, 20, 50, … while <= max_value.
    std::vector<double> b;
    for (double m = 1.0;; m *= 10.0) {
        for (double f : {1.0, 2.0, 5.0}) {
            if (f * m > static_cast<double>(max_value)) return b;
            b.push_back(f * m);
        }
    }
}

std::vector<double> iteration_tokens() {
    return {1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384};
}

std::vector<double> params_n() {
    return {1, 2, 5, 10, 20};
}

}  // namespace metric_buckets

EngineMetrics::EngineMetrics(int64_t max_model_len) {
    using namespace metric_buckets;
    m_.ttft = Histogram(ttft());
    m_.itl = Histogram(token_latency());
    m_.tpot = Histogram(token_latency());
    for (Histogram* h : {&m_.e2e, &m_.queue, &m_.inference, &m_.prefill, &m_.decode})
        *h = Histogram(request_latency());
    for (Histogram* h : {&m_.prompt_len, &m_.generation_len, &m_.max_tokens})
        *h = Histogram(one_two_five(std::max<int64_t>(max_model_len, 1)));
    m_.params_n = Histogram(params_n());
    m_.iteration_tokens = Histogram(iteration_tokens());
}

void EngineMetrics::set_num_speculative_tokens(int64_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    m_.spec_accepted_per_pos.assign(static_cast<size_t>(std::max<int64_t>(n, 0)), 0);
}

void EngineMetrics::on_spec_decode(int64_t drafts, int64_t accepted) {
    std::lock_guard<std::mutex> lock(mu_);
    ++m_.spec_drafts;
    m_.spec_draft_tokens += static_cast<uint64_t>(drafts);
    m_.spec_accepted_tokens += static_cast<uint64_t>(accepted);
    for (int64_t i = 0; i < accepted && i < static_cast<int64_t>(m_.spec_accepted_per_pos.size()); ++i)
        ++m_.spec_accepted_per_pos[static_cast<size_t>(i)];
}

void EngineMetrics::on_preemption() {
    std::lock_guard<std::mutex> lock(mu_);
    ++m_.preemptions;
}

void EngineMetrics::on_prefix_cache_query(int64_t tokens, int64_t hit_tokens) {
    std::lock_guard<std::mutex> lock(mu_);
    m_.prefix_cache_queries += static_cast<uint64_t>(std::max<int64_t>(tokens, 0));
    m_.prefix_cache_hits += static_cast<uint64_t>(std::max<int64_t>(hit_tokens, 0));
}

void EngineMetrics::set_kv_usage(double fraction) {
    std::lock_guard<std::mutex> lock(mu_);
    m_.kv_cache_usage = std::clamp(fraction, 0.0, 1.0);
}

void EngineMetrics::set_running(int64_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    m_.running = n;
}

void EngineMetrics::set_waiting(int64_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    m_.waiting = n;
}

void EngineMetrics::on_iteration(int64_t tokens) {
    std::lock_guard<std::mutex> lock(mu_);
    m_.iteration_tokens.observe(static_cast<double>(tokens));
}

void EngineMetrics::on_first_token(double ttft_s, int64_t prompt_tokens) {
    std::lock_guard<std::mutex> lock(mu_);
    m_.ttft.observe(ttft_s);
    m_.prompt_tokens += static_cast<uint64_t>(std::max<int64_t>(prompt_tokens, 0));
    ++m_.generation_tokens;
}

void EngineMetrics::on_token_gap(double itl_s) {
    std::lock_guard<std::mutex> lock(mu_);
    m_.itl.observe(itl_s);
    ++m_.generation_tokens;
}

void EngineMetrics::on_request_finished(const FinishedRequestStats& s) {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < kCountedFinishReasons.size(); ++i)
        if (kCountedFinishReasons[i] == s.reason) ++m_.success[i];
    m_.e2e.observe(s.e2e_s);
    m_.queue.observe(s.queue_s);
    m_.prefill.observe(s.prefill_s);
    m_.decode.observe(s.decode_s);
    m_.inference.observe(s.prefill_s + s.decode_s);
    m_.prompt_len.observe(static_cast<double>(s.prompt_tokens));
    m_.generation_len.observe(static_cast<double>(s.generation_tokens));
    m_.max_tokens.observe(static_cast<double>(s.max_tokens));
    // vLLM: mean time per output token after the first = decode time / (tokens - 1).
    if (s.generation_tokens > 1) m_.tpot.observe(s.decode_s / static_cast<double>(s.generation_tokens - 1));
}

void EngineMetrics::set_cache_config(std::vector<std::pair<std::string, std::string>> labels) {
    std::lock_guard<std::mutex> lock(mu_);
    m_.cache_config = std::move(labels);
}

void EngineMetrics::on_request_params_n(int64_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    m_.params_n.observe(static_cast<double>(n));
}

namespace {
double seconds(std::chrono::steady_clock::duration d) {
    return std::chrono::duration<double>(d).count();
}
}  // namespace

void EngineMetrics::on_scheduled(RequestTimeline& t, Clock::time_point now) {
    if (!t.scheduled) t.scheduled = now;
}

void EngineMetrics::on_token(RequestTimeline& t, int64_t prompt_tokens, Clock::time_point now) {
    if (!t.scheduled) t.scheduled = now;
    if (!t.first_token) {
        t.first_token = now;
        on_first_token(seconds(now - t.arrival), prompt_tokens);
    } else {
        on_token_gap(seconds(now - *t.last_token));
    }
    t.last_token = now;
    ++t.generated;
}

void EngineMetrics::on_finished(const RequestTimeline& t, FinishReason reason, int64_t prompt_tokens,
                                int64_t max_tokens, Clock::time_point now) {
    FinishedRequestStats s;
    s.reason = reason;
    s.prompt_tokens = prompt_tokens;
    s.generation_tokens = t.generated;
    s.max_tokens = max_tokens;
    s.e2e_s = seconds(now - t.arrival);
    if (t.scheduled) {
        s.queue_s = seconds(*t.scheduled - t.arrival);
        const auto prefill_end = t.first_token ? *t.first_token : now;
        s.prefill_s = seconds(prefill_end - *t.scheduled);
    } else {
        s.queue_s = s.e2e_s;  // never scheduled (aborted while waiting)
    }
    if (t.first_token) s.decode_s = seconds(*t.last_token - *t.first_token);
    on_request_finished(s);
}

MetricsSnapshot EngineMetrics::snapshot() const {
    std::lock_guard<std::mutex> lock(mu_);
    return m_;
}

}  // namespace hy
