// MTP speculative decoding in the scheduler (issue 11 item 3, docs/engine.md "Speculative decoding"):
// outputs with drafts equal outputs without them — greedy, concurrent, with max_tokens and a stop
// token inside an accepted run, with prefix caching and with preemption — and seeded sampling repeats.
// Two models: the tiny random one (drafts mostly rejected: exercises the rollback) and the trained
// default model under models/ (drafts mostly accepted: exercises long accepted runs).
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "core/error.h"
#include "engine/scheduler.h"
#include "model/model_weights.h"
#include "tiny_engine_model.h"

namespace hy {
namespace {

using test::collect;
using test::greedy;
using test::tiny_engine_model;

const ModelWeights* default_model() {
    static const std::unique_ptr<ModelWeights> w = []() -> std::unique_ptr<ModelWeights> {
        const std::string dir = std::string(HYSERVE_SOURCE_DIR) + "/models/default";
        if (!std::filesystem::exists(dir + "/config.json")) return nullptr;
        return std::make_unique<ModelWeights>(load_model(dir));
    }();
    return w.get();
}

std::vector<int32_t> random_tokens(std::mt19937& rng, int64_t n, int32_t hi) {
    std::uniform_int_distribution<int32_t> d(3, hi);
    std::vector<int32_t> v(static_cast<size_t>(n));
    for (auto& t : v) t = d(rng);
    return v;
}

EngineOptions options(int spec, bool caching, double memory = 64 << 20) {
    EngineOptions o;
    o.max_num_seqs = 8;
    o.max_num_batched_tokens = 96;
    o.cache.block_size = 16;
    o.cache.kv_cache_memory = memory;
    o.cache.enable_prefix_caching = caching;
    o.cache.snapshot_interval = 16;  // many snapshot boundaries, some crossed inside accepted runs
    o.num_speculative_tokens = spec;
    return o;
}

std::vector<test::Collected> run_all(const ModelWeights& w, const EngineOptions& o,
                                     const std::vector<GenerationRequest>& reqs,
                                     SchedulerCounters* counters = nullptr) {
    ThreadPool pool(2);
    Engine e(w, pool, o);
    std::vector<std::shared_ptr<RequestStream>> streams;
    for (const auto& r : reqs) streams.push_back(e.submit(r));
    std::vector<test::Collected> out;
    for (auto& s : streams) out.push_back(collect(s));
    test::drain(e);
    EXPECT_EQ(e.scheduler().blocks().num_free(), e.scheduler().blocks().num_blocks());
    EXPECT_EQ(e.scheduler().slots().num_free(), e.scheduler().slots().num_slots());
    if (counters) *counters = e.scheduler().counters();
    return out;
}

// Mixed prompt and output lengths; one request gets a stop token taken from the middle of its own
// plain output, so it must end exactly there.
void expect_same_greedy(const ModelWeights& w, int spec, bool caching, double min_acceptance) {
    std::mt19937 rng(17);
    const int32_t hi = static_cast<int32_t>(w.embeddings.rows()) - 1;
    std::vector<GenerationRequest> reqs;
    for (int i = 0; i < 6; ++i)
        reqs.push_back(greedy(random_tokens(rng, 3 + (i * 29) % 70, hi), 5 + (i * 11) % 40));
    reqs.push_back(reqs[1]);  // a repeated prompt: a prefix-cache hit when caching is on
    const auto plain = run_all(w, options(0, caching), reqs);
    GenerationRequest stopped = reqs[5];
    ASSERT_GE(plain[5].tokens.size(), 12u);
    stopped.sampling.stop_token_ids = {plain[5].tokens[9]};
    reqs.push_back(stopped);
    const auto plain_stop = run_all(w, options(0, caching), {stopped});

    SchedulerCounters c;
    const auto spec_out = run_all(w, options(spec, caching), reqs, &c);
    for (size_t i = 0; i + 1 < reqs.size(); ++i) {
        EXPECT_EQ(spec_out[i].tokens, plain[i].tokens) << "request " << i;
        EXPECT_EQ(spec_out[i].finish, plain[i].finish) << "request " << i;
        EXPECT_EQ(spec_out[i].events, plain[i].events) << "one event per token, then none after the finish";
    }
    EXPECT_EQ(spec_out.back().tokens, plain_stop[0].tokens);
    EXPECT_EQ(spec_out.back().finish, FinishReason::STOP);
    EXPECT_GT(c.spec_drafts, 0);
    EXPECT_EQ(c.spec_proposed, c.spec_drafts * spec);
    const double acceptance = static_cast<double>(c.spec_accepted) / static_cast<double>(c.spec_proposed);
    EXPECT_GE(acceptance, min_acceptance);
    std::printf("n=%d caching=%d: %lld drafts, acceptance %.3f\n", spec, caching,
                static_cast<long long>(c.spec_drafts), acceptance);
}

TEST(Speculative, TinyModelGreedyOutputsEqualPlainDecoding) {
    for (int spec : {1, 3}) expect_same_greedy(tiny_engine_model(), spec, false, 0.0);
}

TEST(Speculative, TinyModelWithPrefixCaching) {
    expect_same_greedy(tiny_engine_model(), 2, true, 0.0);
}

TEST(Speculative, DefaultModelLongAcceptedRuns) {
    const ModelWeights* w = default_model();
    if (!w) GTEST_SKIP() << "models/default not present";
    // Random-token prompts are far from the training data: the trained head still agrees with the
    // trunk about 29% of the time here (96%+ on real chat prompts, tests/e2e/speculative_decoding.sh).
    expect_same_greedy(*w, 3, false, 0.2);
    expect_same_greedy(*w, 3, true, 0.2);
}

TEST(Speculative, SeededSamplingRepeatsAndMatchesPlainDecoding) {
    std::mt19937 rng(5);
    std::vector<GenerationRequest> reqs;
    for (int i = 0; i < 4; ++i) {
        GenerationRequest r = greedy(random_tokens(rng, 10 + 7 * i, 2000), 24);
        r.sampling.temperature = 0.8;
        r.sampling.top_p = 0.95;
        r.sampling.seed = 100 + i;
        r.sampling.presence_penalty = 0.3;
        reqs.push_back(r);
    }
    const auto a = run_all(tiny_engine_model(), options(2, false), reqs);
    const auto b = run_all(tiny_engine_model(), options(2, false), reqs);
    // Verification samples every row with the request's own sampler, so its PRNG advances as in plain
    // decoding: the same seed gives the same tokens with or without drafts.
    const auto plain = run_all(tiny_engine_model(), options(0, false), reqs);
    for (size_t i = 0; i < reqs.size(); ++i) {
        EXPECT_EQ(a[i].tokens, b[i].tokens) << i;
        EXPECT_EQ(a[i].tokens, plain[i].tokens) << i;
    }
}

TEST(Speculative, PreemptionUnderATinyBudget) {
    std::mt19937 rng(9);
    std::vector<GenerationRequest> reqs;
    for (int i = 0; i < 8; ++i) reqs.push_back(greedy(random_tokens(rng, 30 + 5 * i, 2000), 40));
    const auto plain = run_all(tiny_engine_model(), options(0, false), reqs);
    for (bool caching : {false, true}) {
        SchedulerCounters c;
        const auto spec_out = run_all(tiny_engine_model(), options(3, caching, 500 * 1024), reqs, &c);
        for (size_t i = 0; i < reqs.size(); ++i) EXPECT_EQ(spec_out[i].tokens, plain[i].tokens) << i;
        EXPECT_GT(c.preemptions, 0);
    }
}

// Random lengths, shared prefixes, sampling, stop tokens and client aborts under a budget that
// preempts, with prefix caching: every request ends exactly once and everything is free afterwards.
TEST(Speculative, RandomizedWorkloadFreesEverything) {
    std::mt19937 rng(77);
    ThreadPool pool(2);
    EngineOptions o = options(2, true, 400 * 1024);
    o.max_num_seqs = 10;
    Engine e(tiny_engine_model(), pool, o);
    const auto base = random_tokens(rng, 60, 2000);
    std::vector<std::shared_ptr<RequestStream>> streams;
    std::vector<int64_t> max_tokens;
    for (int i = 0; i < 120; ++i) {
        std::vector<int32_t> p(base.begin(), base.begin() + static_cast<std::ptrdiff_t>(rng() % base.size()));
        const auto tail = random_tokens(rng, 1 + static_cast<int64_t>(rng() % 30), 2000);
        p.insert(p.end(), tail.begin(), tail.end());
        GenerationRequest r = greedy(p, 1 + static_cast<int64_t>(rng() % 20));
        if (rng() % 3 == 0) r.sampling.temperature = 1.0;
        if (rng() % 4 == 0) r.sampling.stop_token_ids = {static_cast<int32_t>(3 + rng() % 2000)};
        streams.push_back(e.submit(r));
        max_tokens.push_back(r.sampling.max_tokens);
        if (rng() % 6 == 0) e.abort(streams.back());
    }
    for (size_t i = 0; i < streams.size(); ++i) {
        const auto c = collect(streams[i]);
        EXPECT_NE(c.finish, FinishReason::NONE) << i;
        EXPECT_NE(c.finish, FinishReason::ERROR) << i;
        EXPECT_LE(static_cast<int64_t>(c.tokens.size()), max_tokens[i]) << i;
        if (c.finish == FinishReason::LENGTH) {
            EXPECT_EQ(static_cast<int64_t>(c.tokens.size()), max_tokens[i]) << i;
        }
        TokenEvent ev;
        EXPECT_FALSE(streams[i]->pop(ev, std::chrono::milliseconds(0))) << "an event after the finish";
    }
    test::drain(e);
    EXPECT_EQ(e.scheduler().blocks().num_free(), e.scheduler().blocks().num_blocks());
    EXPECT_EQ(e.scheduler().slots().num_free(), e.scheduler().slots().num_slots());
    EXPECT_GT(e.scheduler().counters().spec_drafts, 0);
}

TEST(Speculative, ModelWithoutMtpIsAStartupError) {
    ModelWeights w = tiny_engine_model();
    w.has_mtp = false;
    ThreadPool pool(2);
    EXPECT_THROW(Engine(w, pool, options(1, false)), Error);
}

}  // namespace
}  // namespace hy
