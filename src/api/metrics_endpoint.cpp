#include "api/metrics_endpoint.h"

#include "api/prometheus_text.h"

namespace hy::api {

namespace {

// HELP strings are vLLM's (vllm/v1/metrics/loggers.py) so dashboards built on them read the same.
struct HistogramFamily {
    const char* name;
    const char* help;
    const Histogram MetricsSnapshot::*field;
};

constexpr HistogramFamily kHistograms[] = {
    {"vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.",
     &MetricsSnapshot::ttft},
    {"vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.",
     &MetricsSnapshot::itl},
    {"vllm:request_time_per_output_token_seconds", "Histogram of time_per_output_token_seconds per request.",
     &MetricsSnapshot::tpot},
    {"vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.",
     &MetricsSnapshot::e2e},
    {"vllm:request_queue_time_seconds", "Histogram of time spent in WAITING phase for request.",
     &MetricsSnapshot::queue},
    {"vllm:request_inference_time_seconds", "Histogram of time spent in RUNNING phase for request.",
     &MetricsSnapshot::inference},
    {"vllm:request_prefill_time_seconds", "Histogram of time spent in PREFILL phase for request.",
     &MetricsSnapshot::prefill},
    {"vllm:request_decode_time_seconds", "Histogram of time spent in DECODE phase for request.",
     &MetricsSnapshot::decode},
    {"vllm:request_prompt_tokens", "Number of prefill tokens processed.", &MetricsSnapshot::prompt_len},
    {"vllm:request_generation_tokens", "Number of generation tokens processed.",
     &MetricsSnapshot::generation_len},
    {"vllm:request_params_max_tokens", "Histogram of the max_tokens request parameter.",
     &MetricsSnapshot::max_tokens},
    {"vllm:request_params_n", "Histogram of the n request parameter.", &MetricsSnapshot::params_n},
    {"vllm:iteration_tokens_total", "Histogram of number of tokens per engine_step.",
     &MetricsSnapshot::iteration_tokens},
};

}  // namespace

std::string render_vllm_metrics(const MetricsSnapshot& m, const std::string& model_name) {
    const PromLabels base = {{"engine", "0"}, {"model_name", model_name}};
    PromWriter w;
    auto gauge = [&](const char* name, const char* help, double v) {
        w.family(name, "gauge", help);
        w.sample(name, base, v);
    };
    auto counter = [&](const char* name, const char* help, uint64_t v) {
        w.family(name, "counter", help);
        w.sample(name, base, static_cast<double>(v));
    };
    gauge("vllm:num_requests_running", "Number of requests in model execution batches.",
          static_cast<double>(m.running));
    gauge("vllm:num_requests_waiting", "Number of requests waiting to be processed.",
          static_cast<double>(m.waiting));
    gauge("vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", m.kv_cache_usage);
    // The pre-0.10 name, still read by older dashboards (spec/api.md §7).
    gauge("vllm:gpu_cache_usage_perc",
          "GPU KV-cache usage. 1 means 100 percent usage. (deprecated: use vllm:kv_cache_usage_perc)",
          m.kv_cache_usage);
    counter("vllm:num_preemptions_total", "Cumulative number of preemption from the engine.", m.preemptions);
    counter("vllm:prompt_tokens_total", "Number of prefill tokens processed.", m.prompt_tokens);
    counter("vllm:generation_tokens_total", "Number of generation tokens processed.", m.generation_tokens);
    counter("vllm:prefix_cache_queries_total", "Prefix cache queries, in terms of number of queried tokens.",
            m.prefix_cache_queries);
    counter("vllm:prefix_cache_hits_total", "Prefix cache hits, in terms of number of cached tokens.",
            m.prefix_cache_hits);
    w.family("vllm:request_success_total", "counter", "Count of successfully processed requests.");
    for (size_t i = 0; i < kCountedFinishReasons.size(); ++i) {
        PromLabels l = base;
        l.emplace_back("finished_reason", finish_reason_name(kCountedFinishReasons[i]));
        w.sample("vllm:request_success_total", l, static_cast<double>(m.success[i]));
    }
    if (!m.spec_accepted_per_pos.empty()) {  // only with --speculative-config, as in vLLM
        counter("vllm:spec_decode_num_drafts_total", "Number of spec decoding drafts.", m.spec_drafts);
        counter("vllm:spec_decode_num_draft_tokens_total", "Number of draft tokens.", m.spec_draft_tokens);
        counter("vllm:spec_decode_num_accepted_tokens_total", "Number of accepted tokens.",
                m.spec_accepted_tokens);
        w.family("vllm:spec_decode_num_accepted_tokens_per_pos_total", "counter",
                 "Accepted tokens per draft position.");
        for (size_t i = 0; i < m.spec_accepted_per_pos.size(); ++i) {
            PromLabels l = base;
            l.emplace_back("position", std::to_string(i));
            w.sample("vllm:spec_decode_num_accepted_tokens_per_pos_total", l,
                     static_cast<double>(m.spec_accepted_per_pos[i]));
        }
    }
    if (!m.cache_config.empty()) {
        PromLabels l(m.cache_config.begin(), m.cache_config.end());
        l.emplace_back("engine", "0");
        w.family("vllm:cache_config_info", "gauge", "Information of the LLMEngine CacheConfig");
        w.sample("vllm:cache_config_info", l, 1.0);
    }
    for (const HistogramFamily& f : kHistograms) {
        w.family(f.name, "histogram", f.help);
        w.histogram(f.name, base, m.*(f.field));
    }
    return w.text();
}

ApiResponse handle_metrics(ServingContext& ctx, const std::string& extra) {
    ApiResponse r;
    r.content_type = kPrometheusContentType;
    r.body = render_vllm_metrics(ctx.engine->metrics().snapshot(), ctx.model_name()) + extra;
    return r;
}

}  // namespace hy::api
