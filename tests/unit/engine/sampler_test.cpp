#include "engine/sampler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <vector>

namespace hy {
namespace {

std::vector<float> logits_of(std::initializer_list<float> v) {
    return std::vector<float>(v);
}

Sampler make(SamplingParams p, std::vector<int32_t> prompt = {}, std::vector<int32_t> eos = {}) {
    return Sampler(p, std::move(eos), prompt, 1234);
}

TEST(Sampler, GreedyPicksArgmax) {
    SamplingParams p;
    p.temperature = 0;
    auto s = make(p);
    auto l = logits_of({0.1f, 2.0f, 1.9f, -3.0f});
    EXPECT_EQ(s.sample(l.data(), 4).token, 1);
}

// Plain greedy decoding reads the argmax off the row without copying it; a zero logit_bias sends the
// same row through the general path. Both pick what std::max_element picks: the first of tied maxima,
// and index 0 when it holds a NaN.
TEST(Sampler, PlainGreedyMatchesTheGeneralPath) {
    SamplingParams plain;
    plain.temperature = 0;
    SamplingParams general = plain;
    general.logit_bias = {{0, 0.0f}};
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> level(0, 40);  // few distinct values: many ties
    for (int64_t V : {1, 5, 16, 17, 100, 4096, 4099}) {
        for (int trial = 0; trial < 20; ++trial) {
            std::vector<float> l(static_cast<size_t>(V));
            for (float& x : l) x = static_cast<float>(level(rng)) * 0.25f;
            if (trial == 1) l.back() = INFINITY;
            if (trial == 2) l[static_cast<size_t>(V / 2)] = NAN;
            const auto expected = static_cast<int32_t>(std::max_element(l.begin(), l.end()) - l.begin());
            auto a = make(plain), b = make(general);
            EXPECT_EQ(a.sample(l.data(), V).token, expected) << "V " << V << " trial " << trial;
            EXPECT_EQ(b.sample(l.data(), V).token, expected) << "V " << V << " trial " << trial;
        }
    }
    std::vector<float> nan_first = {NAN, 3.0f, 1.0f};
    EXPECT_EQ(make(plain).sample(nan_first.data(), 3).token, 0);
    std::vector<float> tie(64, 1.0f);
    tie[40] = 2.0f, tie[41] = 2.0f;
    EXPECT_EQ(make(plain).sample(tie.data(), 64).token, 40);
}

TEST(Sampler, LogitBiasChangesGreedyChoice) {
    SamplingParams p;
    p.temperature = 0;
    p.logit_bias = {{2, 0.5f}};
    auto s = make(p);
    auto l = logits_of({0.1f, 2.0f, 1.9f, -3.0f});
    EXPECT_EQ(s.sample(l.data(), 4).token, 2);
}

// vLLM's allowed_token_ids: whatever the logits say, only the listed ids come out, greedy or sampled.
TEST(Sampler, AllowedTokenIdsRestrictTheDraw) {
    SamplingParams greedy;
    greedy.temperature = 0;
    greedy.allowed_token_ids = {0, 3};
    auto l = logits_of({0.1f, 2.0f, 1.9f, -3.0f});
    EXPECT_EQ(make(greedy).sample(l.data(), 4).token, 0);
    SamplingParams sampled = greedy;
    sampled.temperature = 1.0;
    auto s = make(sampled);
    for (int i = 0; i < 200; ++i) {
        const int32_t t = s.sample(l.data(), 4).token;
        EXPECT_TRUE(t == 0 || t == 3) << t;
    }
}

// vLLM's bad_words: a one-token word never comes out; of a longer word, the last token is banned only
// right after the output has produced the ones before it.
TEST(Sampler, BadWordsBanOneTokenWordsAndCompletionsOfLongerOnes) {
    SamplingParams p;
    p.temperature = 0;
    p.bad_words = {{1}, {2, 3}};
    auto s = make(p);
    auto prefers_1 = logits_of({0.0f, 5.0f, 4.0f, 3.0f});
    EXPECT_EQ(s.sample(prefers_1.data(), 4).token, 2);  // 1 is banned, 2 is next best
    auto prefers_3 = logits_of({0.0f, 0.0f, 1.0f, 5.0f});
    EXPECT_EQ(s.sample(prefers_3.data(), 4).token, 2);  // 3 after 2 would complete "2 3"
    auto s2 = make(p);
    EXPECT_EQ(s2.sample(prefers_3.data(), 4).token, 3);  // at the start, 3 alone is fine
}

TEST(Sampler, MinTokensMasksEosAndStopTokens) {
    SamplingParams p;
    p.temperature = 0;
    p.min_tokens = 2;
    p.stop_token_ids = {1};
    auto s = make(p, {}, {0});
    auto l = logits_of({5.0f, 4.0f, 1.0f});
    EXPECT_EQ(s.sample(l.data(), 3).token, 2);
    EXPECT_EQ(s.sample(l.data(), 3).token, 2);
    EXPECT_EQ(s.sample(l.data(), 3).token, 0);  // min_tokens reached
    EXPECT_TRUE(s.is_stop_token(0));
    EXPECT_TRUE(s.is_stop_token(1));
    EXPECT_FALSE(s.is_stop_token(2));
}

TEST(Sampler, IgnoreEosKeepsStopTokenIds) {
    SamplingParams p;
    p.ignore_eos = true;
    p.stop_token_ids = {3};
    auto s = make(p, {}, {0});
    EXPECT_FALSE(s.is_stop_token(0));
    EXPECT_TRUE(s.is_stop_token(3));
}

TEST(Sampler, PresenceAndFrequencyPenaltiesApplyToOutputTokens) {
    SamplingParams p;
    p.temperature = 0;
    p.frequency_penalty = 1.5;
    auto s = make(p);
    auto l = logits_of({1.0f, 0.0f});
    EXPECT_EQ(s.sample(l.data(), 2).token, 0);
    EXPECT_EQ(s.sample(l.data(), 2).token, 1);  // token 0 now at 1 - 1.5 < 0
    SamplingParams q;
    q.temperature = 0;
    q.presence_penalty = 0.5;
    auto t = make(q);
    auto m = logits_of({1.0f, 0.8f});
    EXPECT_EQ(t.sample(m.data(), 2).token, 0);
    EXPECT_EQ(t.sample(m.data(), 2).token, 1);
}

TEST(Sampler, RepetitionPenaltyCoversPrompt) {
    SamplingParams p;
    p.temperature = 0;
    p.repetition_penalty = 2.0;
    auto s = make(p, {0});
    auto l = logits_of({2.0f, 1.5f});  // 2.0 / 2 = 1.0 < 1.5
    EXPECT_EQ(s.sample(l.data(), 2).token, 1);
}

TEST(Sampler, TopKOneIsGreedy) {
    SamplingParams p;
    p.temperature = 1.0;
    p.top_k = 1;
    auto s = make(p);
    auto l = logits_of({0.0f, 0.5f, 0.4f});
    for (int i = 0; i < 50; ++i) EXPECT_EQ(s.sample(l.data(), 3).token, 1);
}

TEST(Sampler, TopPKeepsSmallestPrefix) {
    SamplingParams p;
    p.temperature = 1.0;
    p.top_p = 0.5;
    auto s = make(p);
    auto l = logits_of({std::log(0.6f), std::log(0.3f), std::log(0.1f)});
    for (int i = 0; i < 50; ++i) EXPECT_EQ(s.sample(l.data(), 3).token, 0);
}

TEST(Sampler, MinPDropsUnlikelyTokens) {
    SamplingParams p;
    p.temperature = 1.0;
    p.min_p = 0.5;
    auto s = make(p);
    auto l = logits_of({std::log(0.5f), std::log(0.3f), std::log(0.2f)});
    for (int i = 0; i < 100; ++i) EXPECT_NE(s.sample(l.data(), 3).token, 2);  // 0.2 < 0.5 * 0.5
}

TEST(Sampler, SameSeedSameSequence) {
    SamplingParams p;
    p.temperature = 1.0;
    p.seed = 42;
    auto a = make(p), b = make(p);
    std::vector<float> l(64);
    for (size_t i = 0; i < l.size(); ++i) l[i] = static_cast<float>(std::sin(static_cast<double>(i)));
    for (int i = 0; i < 20; ++i) EXPECT_EQ(a.sample(l.data(), 64).token, b.sample(l.data(), 64).token);
}

TEST(Sampler, SamplingFollowsDistribution) {
    SamplingParams p;
    p.temperature = 1.0;
    p.seed = 7;
    auto s = make(p);
    auto l = logits_of({std::log(0.75f), std::log(0.25f)});
    int zeros = 0;
    for (int i = 0; i < 4000; ++i) zeros += s.sample(l.data(), 2).token == 0;
    EXPECT_NEAR(zeros / 4000.0, 0.75, 0.03);
}

TEST(Sampler, LogprobsFromRawLogits) {
    SamplingParams p;
    p.temperature = 0;
    p.top_logprobs = 2;
    p.logit_bias = {{1, 10.0f}};  // changes the choice, not the reported distribution
    auto s = make(p);
    auto l = logits_of({std::log(0.5f), std::log(0.3f), std::log(0.2f)});
    auto r = s.sample(l.data(), 3);
    EXPECT_EQ(r.token, 1);
    EXPECT_NEAR(r.logprob, std::log(0.3), 1e-5);
    ASSERT_EQ(r.top.size(), 2u);
    EXPECT_EQ(r.top[0].token, 0);
    EXPECT_NEAR(r.top[0].logprob, std::log(0.5), 1e-5);
    EXPECT_EQ(r.top[1].token, 1);
}

TEST(Sampler, AllMaskedFallsBackToArgmax) {
    SamplingParams p;
    p.temperature = 1.0;
    p.min_tokens = 5;
    auto s = make(p, {}, {0});
    auto l = logits_of({1.0f});
    EXPECT_EQ(s.sample(l.data(), 1).token, 0);  // nothing else exists: no crash
}

}  // namespace
}  // namespace hy
