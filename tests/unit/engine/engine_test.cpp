// The engine on a tiny generated model: batching does not change a sequence's output, seeds repeat,
// stop conditions finish, aborts free the request.
#include "engine/engine.h"

#include <gtest/gtest.h>

#include "engine/scheduler.h"
#include "model/forward.h"
#include "tiny_engine_model.h"

namespace hy {
namespace {

using test::collect;

const ModelWeights& tiny_model() {
    return test::tiny_engine_model();
}

GenerationRequest request(std::vector<int32_t> prompt, int64_t max_tokens, double temperature = 0.0) {
    GenerationRequest r;
    r.prompt = std::move(prompt);
    r.sampling.max_tokens = max_tokens;
    r.sampling.temperature = temperature;
    return r;
}

TEST(Engine, BatchingDoesNotChangeGreedyOutput) {
    ThreadPool pool(2);
    EngineOptions opt;
    opt.max_num_seqs = 8;
    opt.max_num_batched_tokens = 4;  // small token budget: chunked prefill
    Engine engine(tiny_model(), pool, opt);
    const auto alone = collect(engine.submit(request({5, 6, 7, 8, 9, 10, 11}, 8)));
    ASSERT_EQ(alone.tokens.size(), 8u);
    EXPECT_EQ(alone.finish, FinishReason::LENGTH);
    auto a = engine.submit(request({5, 6, 7, 8, 9, 10, 11}, 8));
    auto b = engine.submit(request({20, 21, 22}, 12));
    auto c = engine.submit(request({5, 6, 7, 8, 9, 10, 11}, 8));
    EXPECT_EQ(collect(a).tokens, alone.tokens);
    EXPECT_EQ(collect(b).tokens.size(), 12u);
    EXPECT_EQ(collect(c).tokens, alone.tokens);
}

TEST(Engine, SameGreedyAsForwardDirectly) {
    ThreadPool pool(2);
    Forward fwd(tiny_model(), pool);
    auto seq = fwd.new_sequence();
    std::vector<int32_t> feed = {3, 4, 5, 6}, expect;
    for (int i = 0; i < 6; ++i) {
        SequenceInput in{seq.get(), std::span<const int32_t>(feed), false};
        const ForwardOutput& out = fwd.run(std::span<const SequenceInput>(&in, 1));
        const float* l = out.logits_row(0);
        int32_t best = 0;
        for (int32_t v = 1; v < out.n_vocab; ++v)
            if (l[v] > l[best]) best = v;
        expect.push_back(best);
        feed.assign(1, best);
    }
    Engine engine(tiny_model(), pool);
    EXPECT_EQ(collect(engine.submit(request({3, 4, 5, 6}, 6))).tokens, expect);
}

TEST(Engine, SeededSamplingRepeatsUnderBatching) {
    ThreadPool pool(2);
    Engine engine(tiny_model(), pool);
    auto r = request({7, 8, 9}, 10, 1.0);
    r.sampling.seed = 99;
    const auto first = collect(engine.submit(r)).tokens;
    auto other = engine.submit(request({1, 2, 3, 4}, 10, 1.0));
    const auto second = collect(engine.submit(r)).tokens;
    collect(other);
    EXPECT_EQ(first, second);
}

TEST(Engine, StopTokenFinishesWithStop) {
    ThreadPool pool(2);
    Engine engine(tiny_model(), pool);
    const auto free_run = collect(engine.submit(request({5, 6, 7}, 4)));
    ASSERT_EQ(free_run.tokens.size(), 4u);
    auto r = request({5, 6, 7}, 4);
    r.sampling.stop_token_ids = {free_run.tokens[1]};
    const auto stopped = collect(engine.submit(r));
    EXPECT_EQ(stopped.finish, FinishReason::STOP);
    EXPECT_EQ(stopped.tokens.size(), 2u);
}

TEST(Engine, AbortEndsTheStream) {
    ThreadPool pool(2);
    Engine engine(tiny_model(), pool);
    auto s = engine.submit(request({5, 6, 7}, 100000));
    TokenEvent ev;
    ASSERT_TRUE(s->pop(ev, std::chrono::milliseconds(30000)));
    engine.abort(s);
    const auto rest = collect(s);
    EXPECT_EQ(rest.finish, FinishReason::ABORT);
    EXPECT_LT(rest.tokens.size(), 100000u);
}

TEST(Engine, OutOfVocabPromptIsAnErrorNotACrash) {
    ThreadPool pool(2);
    Engine engine(tiny_model(), pool);
    const auto r = collect(engine.submit(request({1 << 30}, 4)));
    EXPECT_EQ(r.finish, FinishReason::ERROR);
    EXPECT_TRUE(engine.alive());
    EXPECT_EQ(collect(engine.submit(request({5}, 2))).tokens.size(), 2u);
}

// A burst arriving while another request runs is held until it goes quiet (admission_window.h), the
// running request decoding meanwhile, and then prefills in one step.
TEST(Engine, AdmissionWindowHoldsABurstButNotTheRunning) {
    using namespace std::chrono_literals;
    using Clock = std::chrono::steady_clock;
    ThreadPool pool(2);
    EngineOptions opt;
    opt.admission_window = 1s;
    Engine engine(tiny_model(), pool, opt);
    const auto start = Clock::now();
    auto lone = engine.submit(request({3, 4, 5}, 16));  // the first arrival: admitted at once
    TokenEvent first;
    ASSERT_TRUE(lone->pop(first, 30s));
    auto b1 = engine.submit(request({6, 7}, 2));  // right behind it: a burst
    auto b2 = engine.submit(request({8, 9, 10}, 2));
    EXPECT_EQ(collect(lone).tokens.size(), 15u);
    const auto lone_done = Clock::now();
    EXPECT_EQ(collect(b1).tokens.size(), 2u);
    EXPECT_EQ(collect(b2).tokens.size(), 2u);
    EXPECT_LT(lone_done - start, 1s);                        // it decoded while the burst waited
    EXPECT_GE(Clock::now() - start, 1s);                     // the burst waited for the window to go quiet
    EXPECT_EQ(engine.scheduler().counters().steps, 16 + 2);  // both prompts in one step, then one decode
}

}  // namespace
}  // namespace hy
