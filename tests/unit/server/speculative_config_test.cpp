// --speculative-config (spec/api.md §9): vLLM's JSON form, dotted sub-keys, *_mtp aliases, and errors
// for anything but MTP with at least one draft token.
#include <gtest/gtest.h>

#include "core/error.h"
#include "server/server_config.h"

namespace hy::server {
namespace {

ServerConfig parse(const std::vector<std::string>& args) {
    return parse_server_config(args, [](const char*) -> const char* { return nullptr; });
}

TEST(SpeculativeConfig, OffByDefault) {
    EXPECT_EQ(parse({}).num_speculative_tokens, 0);
}

TEST(SpeculativeConfig, JsonForms) {
    EXPECT_EQ(parse({"--speculative-config", R"({"method":"mtp","num_speculative_tokens":3})"})
                  .num_speculative_tokens,
              3);
    EXPECT_EQ(parse({R"(--speculative-config={"method":"nemotron_h_mtp","num_speculative_tokens":1})"})
                  .num_speculative_tokens,
              1);
    EXPECT_EQ(parse({"--speculative_config", R"({"method":"deepseek_mtp","num_speculative_tokens":2})"})
                  .num_speculative_tokens,
              2);
}

TEST(SpeculativeConfig, DottedSubKeysMerge) {
    EXPECT_EQ(
        parse({"--speculative-config.method", "mtp", "--speculative-config.num_speculative_tokens", "4"})
            .num_speculative_tokens,
        4);
    EXPECT_EQ(parse({"--speculative-config", R"({"method":"mtp","num_speculative_tokens":3})",
                     "--speculative-config.num_speculative_tokens=2"})
                  .num_speculative_tokens,
              2);
    // Keys that only steer GPU drafters are accepted and reported.
    const ServerConfig c =
        parse({"--speculative-config",
               R"({"method":"mtp","num_speculative_tokens":1,"draft_tensor_parallel_size":1})"});
    EXPECT_EQ(c.num_speculative_tokens, 1);
    EXPECT_FALSE(c.notes.empty());
}

TEST(SpeculativeConfig, Errors) {
    EXPECT_THROW(parse({"--speculative-config", R"({"method":"ngram","num_speculative_tokens":3})"}), Error);
    EXPECT_THROW(parse({"--speculative-config", R"({"num_speculative_tokens":3})"}), Error);
    EXPECT_THROW(parse({"--speculative-config", R"({"method":"mtp","num_speculative_tokens":0})"}), Error);
    EXPECT_THROW(parse({"--speculative-config", R"({"method":"mtp"})"}), Error);
    EXPECT_THROW(parse({"--speculative-config", "not json"}), Error);
    EXPECT_THROW(parse({"--speculative-config.method"}), Error);
    EXPECT_THROW(parse({"--max-num-seqs.x", "1"}), Error);
}

}  // namespace
}  // namespace hy::server
