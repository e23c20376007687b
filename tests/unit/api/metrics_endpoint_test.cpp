#include "api/metrics_endpoint.h"

#include <gtest/gtest.h>

#include <sstream>

#include "api/prometheus_text.h"

namespace hy::api {
namespace {

// The sample lines (no comments) of an exposition, as "name{labels}" -> value text.
std::map<std::string, std::string> samples(const std::string& text) {
    std::map<std::string, std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        const size_t sp = line.rfind(' ');
        out[line.substr(0, sp)] = line.substr(sp + 1);
    }
    return out;
}

TEST(PromNumber, PythonFloatRepr) {
    EXPECT_EQ(prom_number(0), "0.0");
    EXPECT_EQ(prom_number(3), "3.0");
    EXPECT_EQ(prom_number(0.001), "0.001");
    EXPECT_EQ(prom_number(2.5), "2.5");
    EXPECT_EQ(prom_number(1e-5), "1e-05");
    EXPECT_EQ(prom_number(1e16), "1e+16");
    EXPECT_EQ(prom_number(1.0 / 0.0), "+Inf");
}

TEST(PromWriter, LabelsSortedAndEscaped) {
    PromWriter w;
    w.family("x_total", "counter", "help with \\ and\nnewline");
    w.sample("x_total", {{"model_name", "a\"b\\c\nd"}, {"engine", "0"}}, 2);
    EXPECT_EQ(w.text(),
              "# HELP x_total help with \\\\ and\\nnewline\n# TYPE x_total counter\n"
              "x_total{engine=\"0\",model_name=\"a\\\"b\\\\c\\nd\"} 2.0\n");
}

TEST(MetricsEndpoint, EveryVllmFamilyWithHelpTypeAndLabels) {
    EngineMetrics m(1000);
    const auto t0 = std::chrono::steady_clock::now();
    RequestTimeline t;
    t.arrival = t0;
    m.on_token(t, 4, t0 + std::chrono::milliseconds(30));
    m.on_token(t, 4, t0 + std::chrono::milliseconds(50));
    m.on_finished(t, FinishReason::STOP, 4, 16, t0 + std::chrono::milliseconds(60));
    const std::string text = render_vllm_metrics(m.snapshot(), "my-model");
    for (const char* fam : {"vllm:num_requests_running gauge",
                            "vllm:num_requests_waiting gauge",
                            "vllm:kv_cache_usage_perc gauge",
                            "vllm:prompt_tokens_total counter",
                            "vllm:generation_tokens_total counter",
                            "vllm:num_preemptions_total counter",
                            "vllm:request_success_total counter",
                            "vllm:prefix_cache_queries_total counter",
                            "vllm:prefix_cache_hits_total counter",
                            "vllm:time_to_first_token_seconds histogram",
                            "vllm:inter_token_latency_seconds histogram",
                            "vllm:request_time_per_output_token_seconds histogram",
                            "vllm:e2e_request_latency_seconds histogram",
                            "vllm:request_queue_time_seconds histogram",
                            "vllm:request_inference_time_seconds histogram",
                            "vllm:request_prefill_time_seconds histogram",
                            "vllm:request_decode_time_seconds histogram",
                            "vllm:request_prompt_tokens histogram",
                            "vllm:request_generation_tokens histogram",
                            "vllm:request_params_max_tokens histogram",
                            "vllm:iteration_tokens_total histogram"}) {
        EXPECT_NE(text.find(std::string("# TYPE ") + fam + "\n"), std::string::npos) << fam;
    }
    const auto s = samples(text);
    const std::string L = "engine=\"0\",model_name=\"my-model\"";
    EXPECT_EQ(s.at("vllm:prompt_tokens_total{" + L + "}"), "4.0");
    EXPECT_EQ(s.at("vllm:generation_tokens_total{" + L + "}"), "2.0");
    EXPECT_EQ(
        s.at("vllm:request_success_total{engine=\"0\",finished_reason=\"stop\",model_name=\"my-model\"}"),
        "1.0");
    EXPECT_EQ(
        s.at("vllm:request_success_total{engine=\"0\",finished_reason=\"length\",model_name=\"my-model\"}"),
        "0.0");
    // TTFT 0.03 s: not in le=0.02, in le=0.04 and every bucket above, +Inf = count.
    EXPECT_EQ(
        s.at("vllm:time_to_first_token_seconds_bucket{engine=\"0\",le=\"0.02\",model_name=\"my-model\"}"),
        "0.0");
    EXPECT_EQ(
        s.at("vllm:time_to_first_token_seconds_bucket{engine=\"0\",le=\"0.04\",model_name=\"my-model\"}"),
        "1.0");
    EXPECT_EQ(
        s.at("vllm:time_to_first_token_seconds_bucket{engine=\"0\",le=\"+Inf\",model_name=\"my-model\"}"),
        "1.0");
    EXPECT_EQ(s.at("vllm:time_to_first_token_seconds_count{" + L + "}"), "1.0");
    // 1-2-5 token buckets end at the largest value <= max_model_len (1000).
    EXPECT_TRUE(
        s.count("vllm:request_prompt_tokens_bucket{engine=\"0\",le=\"1000.0\",model_name=\"my-model\"}"));
    EXPECT_FALSE(
        s.count("vllm:request_prompt_tokens_bucket{engine=\"0\",le=\"2000.0\",model_name=\"my-model\"}"));
}

}  // namespace
}  // namespace hy::api
