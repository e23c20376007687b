#include "engine/engine_metrics.h"

#include <gtest/gtest.h>

namespace hy {
namespace {

using namespace std::chrono_literals;

TEST(Histogram, BucketsAreLessOrEqualAndCumulative) {
    Histogram h({0.1, 0.5, 1.0});
    h.observe(0.1);  // on the bound: counts in le="0.1"
    h.observe(0.3);
    h.observe(5.0);  // +Inf only
    EXPECT_EQ(h.cumulative(0), 1u);
    EXPECT_EQ(h.cumulative(1), 2u);
    EXPECT_EQ(h.cumulative(2), 2u);
    EXPECT_EQ(h.cumulative(3), 3u);
    EXPECT_EQ(h.count, 3u);
    EXPECT_DOUBLE_EQ(h.sum, 5.4);
}

TEST(MetricBuckets, OneTwoFiveStopsAtMaxModelLen) {
    const std::vector<double> expect = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000};
    EXPECT_EQ(metric_buckets::one_two_five(4096), expect);
    EXPECT_EQ(metric_buckets::ttft().size(), 22u);           // spec/api.md §7
    EXPECT_EQ(metric_buckets::token_latency().size(), 19u);  // .01 … 80
    EXPECT_EQ(metric_buckets::request_latency().back(), 7680.0);
}

TEST(EngineMetrics, TimelineGivesTtftItlAndPhaseTimes) {
    EngineMetrics m(4096);
    const auto t0 = std::chrono::steady_clock::now();
    RequestTimeline t;
    t.arrival = t0;
    m.on_scheduled(t, t0 + 100ms);
    m.on_scheduled(t, t0 + 900ms);  // a later (re)schedule keeps the first
    m.on_token(t, 7, t0 + 300ms);   // first token: ttft 0.3 s
    m.on_token(t, 7, t0 + 350ms);   // gap 0.05 s
    m.on_token(t, 7, t0 + 450ms);   // gap 0.1 s
    m.on_finished(t, FinishReason::LENGTH, 7, 3, t0 + 500ms);
    const MetricsSnapshot s = m.snapshot();
    EXPECT_EQ(s.prompt_tokens, 7u);
    EXPECT_EQ(s.generation_tokens, 3u);
    EXPECT_EQ(s.ttft.count, 1u);
    EXPECT_NEAR(s.ttft.sum, 0.3, 1e-9);
    EXPECT_EQ(s.itl.count, 2u);
    EXPECT_NEAR(s.itl.sum, 0.15, 1e-9);
    EXPECT_NEAR(s.queue.sum, 0.1, 1e-9);
    EXPECT_NEAR(s.prefill.sum, 0.2, 1e-9);
    EXPECT_NEAR(s.decode.sum, 0.15, 1e-9);
    EXPECT_NEAR(s.inference.sum, 0.35, 1e-9);
    EXPECT_NEAR(s.e2e.sum, 0.5, 1e-9);
    EXPECT_NEAR(s.tpot.sum, 0.075, 1e-9);  // decode / (tokens - 1)
    EXPECT_EQ(s.success[1], 1u);           // length
    EXPECT_EQ(s.success[0] + s.success[2] + s.success[3], 0u);
    EXPECT_EQ(s.generation_len.sum, 3.0);
}

TEST(EngineMetrics, AbortBeforeSchedulingIsAllQueueTime) {
    EngineMetrics m;
    const auto t0 = std::chrono::steady_clock::now();
    RequestTimeline t;
    t.arrival = t0;
    m.on_finished(t, FinishReason::ABORT, 5, 16, t0 + 2s);
    const MetricsSnapshot s = m.snapshot();
    EXPECT_EQ(s.success[2], 1u);
    EXPECT_NEAR(s.queue.sum, 2.0, 1e-9);
    EXPECT_EQ(s.ttft.count, 0u);
    EXPECT_EQ(s.tpot.count, 0u);
    EXPECT_EQ(s.prompt_tokens, 0u);  // never prefilled
}

TEST(EngineMetrics, PlainHooks) {
    EngineMetrics m;
    m.on_preemption();
    m.on_prefix_cache_query(100, 64);
    m.on_prefix_cache_query(50, 0);
    m.set_kv_usage(1.5);
    m.set_running(3);
    m.set_waiting(2);
    m.on_iteration(17);
    const MetricsSnapshot s = m.snapshot();
    EXPECT_EQ(s.preemptions, 1u);
    EXPECT_EQ(s.prefix_cache_queries, 150u);
    EXPECT_EQ(s.prefix_cache_hits, 64u);
    EXPECT_EQ(s.kv_cache_usage, 1.0);
    EXPECT_EQ(s.running, 3);
    EXPECT_EQ(s.waiting, 2);
    EXPECT_EQ(s.iteration_tokens.cumulative(1), 0u);  // 17 > 16
    EXPECT_EQ(s.iteration_tokens.cumulative(3), 1u);  // <= 32
}

}  // namespace
}  // namespace hy
