#include "server/context_length.h"

#include <algorithm>
#include <cstdio>

#include "core/error.h"

namespace hy::server {

namespace {

std::string size_text(int64_t bytes) {
    char buf[32];
    const double b = static_cast<double>(bytes);
    if (b >= (1 << 30))
        std::snprintf(buf, sizeof buf, "%.2f GiB", b / (1 << 30));
    else
        std::snprintf(buf, sizeof buf, "%.1f MiB", b / (1 << 20));
    return buf;
}

}  // namespace

ResolvedContext resolve_context_length(std::optional<int64_t> requested, bool allow_long,
                                       const ContextLimits& limits) {
    ResolvedContext r;
    const int64_t want = requested.value_or(limits.model_len);
    if (requested && want > limits.model_len) {
        if (!allow_long)
            throw Error("User-specified max_model_len (" + std::to_string(want) +
                        ") is greater than the derived max_model_len (max_position_embeddings=" +
                        std::to_string(limits.model_len) +
                        " in model's config.json). To allow overriding this limit, set "
                        "VLLM_ALLOW_LONG_MAX_MODEL_LEN=1");
        r.warning = "max_model_len " + std::to_string(want) + " exceeds the model's " +
                    std::to_string(limits.model_len) + " (VLLM_ALLOW_LONG_MAX_MODEL_LEN set)";
    }
    if (want <= limits.cache_tokens) {
        r.max_model_len = want;
        return r;
    }
    if (requested)  // vLLM's wording, with this server's knobs
        throw Error("To serve at least one request with the model's max seq len (" + std::to_string(want) +
                    "), " + size_text(want * limits.cache_bytes_per_token) +
                    " KV cache is needed, which is larger than the available KV cache memory (" +
                    size_text(limits.cache_budget_bytes) +
                    "). Based on the available memory, the estimated maximum model length is " +
                    std::to_string(limits.cache_tokens) +
                    ". Try increasing --kv-cache-memory or decreasing --max-model-len.");
    r.max_model_len = std::max<int64_t>(1, limits.cache_tokens);
    r.warning = "max_model_len lowered from the model's " + std::to_string(want) + " to " +
                std::to_string(r.max_model_len) +
                " tokens, what the KV cache holds; raise --kv-cache-memory to serve longer contexts";
    return r;
}

}  // namespace hy::server
