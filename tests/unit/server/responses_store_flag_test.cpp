// --enable-responses-store and VLLM_ENABLE_RESPONSES_API_STORE (issue 7): either turns the store on,
// the flag (CLI) wins over the variable.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "server/server_config.h"

namespace hy::server {
namespace {

ServerConfig parse(std::vector<std::string> args, std::map<std::string, std::string> env) {
    return parse_server_config(args, [&env](const char* k) -> const char* {
        auto it = env.find(k);
        return it == env.end() ? nullptr : it->second.c_str();
    });
}

TEST(ResponsesStoreFlag, FlagAndEnvironment) {
    EXPECT_FALSE(parse({}, {}).enable_responses_store);
    EXPECT_TRUE(parse({"--enable-responses-store"}, {}).enable_responses_store);
    EXPECT_TRUE(parse({}, {{"VLLM_ENABLE_RESPONSES_API_STORE", "1"}}).enable_responses_store);
    EXPECT_FALSE(parse({}, {{"VLLM_ENABLE_RESPONSES_API_STORE", "0"}}).enable_responses_store);
    EXPECT_TRUE(parse({"--enable-responses-store"}, {{"VLLM_ENABLE_RESPONSES_API_STORE", "0"}})
                    .enable_responses_store);
    EXPECT_FALSE(parse({"--no-enable-responses-store"}, {{"VLLM_ENABLE_RESPONSES_API_STORE", "1"}})
                     .enable_responses_store);
    EXPECT_TRUE(parse({}, {{"NIM_PASSTHROUGH_ARGS", "--enable-responses-store"}}).enable_responses_store);
}

}  // namespace
}  // namespace hy::server
