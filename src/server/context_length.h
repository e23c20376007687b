// The served context length (max_model_len): what the operator asked for (--max-model-len /
// NIM_MAX_MODEL_LEN), held against the model's own limit and against what the KV cache can hold.
// spec/api.md §9.3: "-1/auto = largest that fits"; above the model config is a startup error unless
// VLLM_ALLOW_LONG_MAX_MODEL_LEN. lessons.md 10: /v1/models reports the effective context, so a
// context the cache cannot hold is never advertised (a prompt that fit the context but not the cache
// used to fail inside the engine, after the API had accepted it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace hy::server {

struct ContextLimits {
    int64_t model_len = 0;     // the model's max_position_embeddings
    int64_t cache_tokens = 0;  // tokens whose K/V fit in the cache at once (CachePlan::max_tokens)
    int64_t cache_bytes_per_token = 0;
    int64_t cache_budget_bytes = 0;  // of the KV blocks alone
};

struct ResolvedContext {
    int64_t max_model_len = 0;
    std::string warning;  // non-empty: log it (the context was lowered, or raised past the model's)
};

// Throws hy::Error for an explicit length above the model's (without allow_long) or above the cache:
// vLLM stops there too, naming the largest length that would fit. Unset (or -1/auto) takes the
// model's length, lowered to the cache's when that is smaller.
ResolvedContext resolve_context_length(std::optional<int64_t> requested, bool allow_long,
                                       const ContextLimits& limits);

}  // namespace hy::server
