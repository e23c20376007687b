#include "server/context_length.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace hy::server {
namespace {

// A model of 8192 positions whose cache holds 4096 tokens at 1 KiB each.
constexpr ContextLimits kLimits{.model_len = 8192,
                                .cache_tokens = 4096,
                                .cache_bytes_per_token = 1024,
                                .cache_budget_bytes = 4096 * 1024};

TEST(ContextLength, UnsetTakesTheModelsWhenTheCacheHoldsIt) {
    const ContextLimits roomy{.model_len = 2048, .cache_tokens = 4096};
    const ResolvedContext r = resolve_context_length(std::nullopt, false, roomy);
    EXPECT_EQ(r.max_model_len, 2048);
    EXPECT_TRUE(r.warning.empty());
}

TEST(ContextLength, UnsetIsLoweredToWhatTheCacheHolds) {
    // -1 / auto parse to "unset": the largest length that fits (spec/api.md §9.3).
    const ResolvedContext r = resolve_context_length(std::nullopt, false, kLimits);
    EXPECT_EQ(r.max_model_len, 4096);
    EXPECT_NE(r.warning.find("lowered from the model's 8192 to 4096"), std::string::npos) << r.warning;
}

TEST(ContextLength, ExplicitLengthWithinBothLimitsIsKept) {
    const ResolvedContext r = resolve_context_length(1000, false, kLimits);
    EXPECT_EQ(r.max_model_len, 1000);
    EXPECT_TRUE(r.warning.empty());
}

TEST(ContextLength, ExplicitLengthAboveTheCacheStopsStartupNamingWhatFits) {
    try {
        resolve_context_length(6000, false, kLimits);
        FAIL() << "expected an error";
    } catch (const Error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("max seq len (6000)"), std::string::npos) << m;
        EXPECT_NE(m.find("estimated maximum model length is 4096"), std::string::npos) << m;
        EXPECT_NE(m.find("--kv-cache-memory"), std::string::npos) << m;
    }
}

TEST(ContextLength, AboveTheModelNeedsTheVllmOverride) {
    const ContextLimits roomy{.model_len = 2048, .cache_tokens = 1 << 20};
    EXPECT_THROW(resolve_context_length(4096, false, roomy), Error);
    const ResolvedContext r = resolve_context_length(4096, true, roomy);
    EXPECT_EQ(r.max_model_len, 4096);
    EXPECT_NE(r.warning.find("VLLM_ALLOW_LONG_MAX_MODEL_LEN"), std::string::npos);
    // The override lifts the model's limit, not the cache's.
    EXPECT_THROW(resolve_context_length(1 << 21, true, roomy), Error);
}

}  // namespace
}  // namespace hy::server
