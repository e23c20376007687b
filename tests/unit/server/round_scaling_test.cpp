// bench-serve --rounds: ratios taken within each round, medians over rounds (cli/round_scaling.h).
#include "cli/round_scaling.h"

#include <gtest/gtest.h>

namespace hy::cli {
namespace {

TEST(RoundScaling, EachRoundIsDividedByItsOwnOneStreamFigure) {
    // Round 1 ran in a slow spell: both levels are slower, the ratio is what counts.
    const std::vector<LevelFigures> results = {
        {0, 1, 1000, 1000},  {0, 16, 4000, 4200}, {1, 1, 800, 800},
        {1, 16, 3360, 3200}, {2, 1, 1000, 1000},  {2, 16, 3800, 4000},
    };
    const auto s = round_scaling(results);
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].concurrency, 16);
    ASSERT_EQ(s[0].aggregate.size(), 3u);
    EXPECT_DOUBLE_EQ(s[0].aggregate[1], 4.2);
    EXPECT_DOUBLE_EQ(s[0].aggregate_median, 4.0);
    EXPECT_DOUBLE_EQ(s[0].full_width_median, 4.0);
}

TEST(RoundScaling, WithoutOneStreamThereIsNothingToCompare) {
    EXPECT_TRUE(round_scaling({{0, 4, 100, 100}, {0, 16, 300, 300}}).empty());
}

TEST(RoundScaling, ALevelWithoutADecodeWindowKeepsItsAggregateRatio) {
    const auto s = round_scaling({{0, 1, 1000, 1000}, {0, 64, 2000, 0}});
    ASSERT_EQ(s.size(), 1u);
    EXPECT_DOUBLE_EQ(s[0].aggregate_median, 2.0);
    EXPECT_TRUE(s[0].full_width.empty());
    EXPECT_DOUBLE_EQ(s[0].full_width_median, 0.0);
}

}  // namespace
}  // namespace hy::cli
