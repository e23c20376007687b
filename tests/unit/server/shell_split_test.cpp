#include "server/shell_split.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace hy::server {
namespace {

using V = std::vector<std::string>;

TEST(ShellSplit, Whitespace) {
    EXPECT_EQ(shell_split("  a  b\tc\n"), (V{"a", "b", "c"}));
}

TEST(ShellSplit, SingleQuotedJsonSurvives) {
    EXPECT_EQ(shell_split(R"(--speculative-config '{"method":"mtp","num_speculative_tokens":3}')"),
              (V{"--speculative-config", R"({"method":"mtp","num_speculative_tokens":3})"}));
}

TEST(ShellSplit, DoubleQuotesEscapeOnlySome) {
    EXPECT_EQ(shell_split(R"("a\"b\n\\ \$")"), (V{R"(a"b\n\ $)"}));
}

TEST(ShellSplit, AdjacentPiecesJoin) {
    EXPECT_EQ(shell_split("--x='a b'c"), (V{"--x=a bc"}));
}

TEST(ShellSplit, BackslashOutsideQuotes) {
    EXPECT_EQ(shell_split(R"(a\ b \'c)"), (V{"a b", "'c"}));
}

TEST(ShellSplit, EmptyQuotedWord) {
    EXPECT_EQ(shell_split("a '' b"), (V{"a", "", "b"}));
}

TEST(ShellSplit, UnterminatedQuoteThrows) {
    EXPECT_THROW(shell_split("--x 'abc"), Error);
    EXPECT_THROW(shell_split("--x \"abc"), Error);
    EXPECT_THROW(shell_split("abc\\"), Error);
}

}  // namespace
}  // namespace hy::server
