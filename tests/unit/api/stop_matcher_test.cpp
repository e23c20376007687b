#include "api/stop_matcher.h"

#include <gtest/gtest.h>

namespace hy::api {
namespace {

std::string feed(StopMatcher& m, std::vector<std::string> pieces) {
    std::string out;
    for (const auto& p : pieces) out += m.push(p);
    return out + m.flush();
}

TEST(StopMatcher, NoStopsPassesThrough) {
    StopMatcher m({}, false);
    EXPECT_EQ(m.push("abc"), "abc");
    EXPECT_FALSE(m.stopped());
}

TEST(StopMatcher, MatchAcrossPiecesIsCut) {
    StopMatcher m({"END"}, false);
    EXPECT_EQ(m.push("hello E"), "hello ");  // "E" held back
    EXPECT_EQ(m.push("N"), "");
    EXPECT_EQ(m.push("Dmore"), "");
    EXPECT_TRUE(m.stopped());
    EXPECT_EQ(*m.matched(), "END");
    EXPECT_EQ(m.push("x"), "");
}

TEST(StopMatcher, HeldTextReleasedWhenMatchFails) {
    StopMatcher m({"END"}, false);
    EXPECT_EQ(m.push("E"), "");
    EXPECT_EQ(m.push("x"), "Ex");
    EXPECT_EQ(feed(m, {"EN"}), "EN");
    EXPECT_FALSE(m.stopped());
}

TEST(StopMatcher, IncludeStopString) {
    StopMatcher m({"\n\n"}, true);
    EXPECT_EQ(feed(m, {"a\n", "\nb"}), "a\n\n");
}

TEST(StopMatcher, EarliestOfSeveralStops) {
    StopMatcher m({"cd", "b"}, false);
    EXPECT_EQ(feed(m, {"abcd"}), "a");
    EXPECT_EQ(*m.matched(), "b");
}

TEST(StopMatcher, OverlappingPrefix) {
    StopMatcher m({"aab"}, false);
    EXPECT_EQ(m.push("aa"), "");
    EXPECT_EQ(m.push("a"), "a");  // "aaa": the first a can no longer start a match
    EXPECT_EQ(m.push("b"), "");
    EXPECT_TRUE(m.stopped());
}

}  // namespace
}  // namespace hy::api
