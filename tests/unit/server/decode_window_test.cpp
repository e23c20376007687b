// bench-serve's decode throughput over the windows where every stream decodes (cli/decode_window.h).
#include "cli/decode_window.h"

#include <gtest/gtest.h>

namespace hy::cli {
namespace {

// Two streams in lockstep, one token every 10 ms after a shared first token: 2 tokens per 10 ms.
TEST(DecodeWindow, LockstepStreamsGiveTheStepRate) {
    std::vector<double> a, b;
    for (int i = 0; i <= 10; ++i) a.push_back(0.1 + 0.01 * i), b.push_back(0.1 + 0.01 * i);
    const DecodeWindow w = full_width_decode({a, b}, 2);
    EXPECT_NEAR(w.seconds, 0.1, 1e-12);
    EXPECT_EQ(w.tokens, 20);
    EXPECT_NEAR(w.rate(), 200.0, 1e-6);
}

// A stream that starts late leaves the early one decoding alone at first: only the overlap counts.
TEST(DecodeWindow, OnlyTheOverlapCounts) {
    std::vector<double> early, late;
    for (int i = 0; i <= 20; ++i) early.push_back(0.01 * i);       // 0 .. 0.2
    for (int i = 0; i <= 10; ++i) late.push_back(0.1 + 0.01 * i);  // 0.1 .. 0.2
    const DecodeWindow w = full_width_decode({early, late}, 2);
    EXPECT_NEAR(w.seconds, 0.1, 1e-12);
    EXPECT_EQ(w.tokens, 20);  // (0.1, 0.2]: 10 tokens of each
}

// Two waves of two: two windows, added up; a stream with one token never decodes.
TEST(DecodeWindow, WavesAddUp) {
    const std::vector<std::vector<double>> t = {
        {0.0, 0.1, 0.2}, {0.0, 0.1, 0.2}, {0.3, 0.4}, {0.3, 0.4}, {0.5}};
    const DecodeWindow w = full_width_decode(t, 2);
    EXPECT_NEAR(w.seconds, 0.3, 1e-12);
    EXPECT_EQ(w.tokens, 6);
}

TEST(DecodeWindow, NeverFullWidth) {
    const DecodeWindow w = full_width_decode({{0.0, 0.1}, {0.2, 0.3}}, 2);
    EXPECT_EQ(w.seconds, 0.0);
    EXPECT_EQ(w.rate(), 0.0);
}

}  // namespace
}  // namespace hy::cli
