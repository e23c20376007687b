#include "engine/logprobs.h"

#include <gtest/gtest.h>

#include <cmath>

namespace hy {
namespace {

TEST(Logprobs, RawLogSoftmaxAndTopN) {
    const float logits[4] = {1.0f, 3.0f, 2.0f, 3.0f};
    std::vector<TokenLogprob> top;
    const float lp = raw_logprobs(logits, 4, 2, 2, top);
    const double lse = std::log(std::exp(1.0) + 2 * std::exp(3.0) + std::exp(2.0));
    EXPECT_NEAR(lp, 2.0 - lse, 1e-6);
    ASSERT_EQ(top.size(), 2u);
    EXPECT_EQ(top[0].token, 1);  // tie with 3: lower id first
    EXPECT_EQ(top[1].token, 3);
    EXPECT_NEAR(top[0].logprob, 3.0 - lse, 1e-6);
}

// Rows of prompt positions 0..2 of a 4-token prompt, fed in two chunks (as chunked prefill does): row j
// of a chunk starting at `first` scores prompt[first + j + 1]; the row of the last prompt position
// predicts the first generated token and is not a prompt logprob.
TEST(Logprobs, PromptLogprobsFromChunkedRows) {
    const int64_t V = 3;
    const std::vector<int32_t> prompt = {0, 2, 1, 1};
    const float chunk1[2 * V] = {0, 0, 5, 0, 5, 0};  // positions 0, 1
    const float chunk2[2 * V] = {1, 2, 3, 9, 9, 9};  // positions 2, 3 (3 is past the prompt)
    std::vector<PromptLogprob> out;
    prompt_logprobs_from_rows(chunk1, 2, V, 0, prompt, 1, out);
    prompt_logprobs_from_rows(chunk2, 2, V, 2, prompt, 1, out);
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0].token, 2);
    EXPECT_EQ(out[1].token, 1);
    EXPECT_EQ(out[2].token, 1);
    std::vector<TokenLogprob> unused;
    EXPECT_FLOAT_EQ(out[0].logprob, raw_logprobs(chunk1, V, 2, 0, unused));
    EXPECT_FLOAT_EQ(out[2].logprob, raw_logprobs(chunk2, V, 1, 0, unused));
    ASSERT_EQ(out[1].top.size(), 1u);
    EXPECT_EQ(out[1].top[0].token, 1);
    // A preemption recomputes the same positions: the entries are replaced, not appended.
    prompt_logprobs_from_rows(chunk1, 2, V, 0, prompt, 1, out);
    EXPECT_EQ(out.size(), 3u);
    EXPECT_EQ(out[1].top.size(), 1u);
}

}  // namespace
}  // namespace hy
