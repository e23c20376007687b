// What the API layer hands the engine and what it gets back (spec/architecture.md "Engine API"):
// a GenerationRequest (prompt ids, sampling parameters, token-level stop conditions) and a stream
// of TokenEvents. Text-level concerns (stop strings, detokenization) stay in api/.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hy {

class TokenConstraint;  // engine/token_constraint.h

// spec/api.md §2.3; validation happens in api/, the engine trusts these values.
struct SamplingParams {
    double temperature = 1.0;  // 0 = greedy
    double top_p = 1.0;        // (0, 1]
    int64_t top_k = 0;         // 0 or -1 = off
    double min_p = 0.0;        // [0, 1]
    std::optional<uint64_t> seed;
    double presence_penalty = 0.0;    // output tokens only
    double frequency_penalty = 0.0;   // output tokens only
    double repetition_penalty = 1.0;  // prompt and output tokens (vLLM/HF semantics)
    std::vector<std::pair<int32_t, float>> logit_bias;
    int64_t min_tokens = 0;  // EOS and stop tokens are masked before this many tokens
    bool ignore_eos = false;
    std::vector<int32_t> stop_token_ids;
    // vLLM's allowed_token_ids: when non-empty, only these may be sampled (sorted, distinct).
    std::vector<int32_t> allowed_token_ids;
    // vLLM's bad_words as token sequences: the last token of each is banned wherever the output
    // already ends with the ones before it (a one-token word is banned everywhere).
    std::vector<std::vector<int32_t>> bad_words;
    int64_t max_tokens = 16;
    int top_logprobs = -1;  // -1: no logprobs; N >= 0: chosen token's logprob plus the N best
    // Per-sequence logits processor (thinking budget, grammar); null = none. One per sequence: the
    // API layer gives every choice its own (engine/token_constraint.h).
    std::shared_ptr<TokenConstraint> constraint;
};

struct GenerationRequest {
    std::vector<int32_t> prompt;  // at least one token
    SamplingParams sampling;
    std::vector<int32_t> eos_token_ids;  // the model's EOS ids (generation_config / config.json)
    int64_t priority = 0;    // under SchedulingPolicy::PRIORITY smaller is scheduled first (vLLM `priority`)
    std::string cache_salt;  // prefix-cache isolation: only requests with the same salt share blocks
    // Logprobs of the prompt tokens (vLLM `prompt_logprobs`; completions echo + logprobs): -1 off, N >= 0
    // each prompt token's logprob and the N best. Such a request is prefilled whole (no prefix-cache
    // resume: cached positions have no logits).
    int prompt_logprobs = -1;
    // Chat: the prompt tokens before the generation prompt (api/turn_boundary.h), a token boundary the
    // next turn of the conversation shares, so the prefix cache keeps a Mamba snapshot there; -1 none.
    int64_t turn_start = -1;
};

enum class FinishReason { NONE, STOP, LENGTH, ABORT, ERROR };

const char* finish_reason_name(FinishReason r);  // "stop", "length", "abort", "error"; null for NONE

struct TokenLogprob {
    int32_t token = -1;
    float logprob = 0.0f;
};

struct PromptLogprob {
    int32_t token = -1;  // the prompt token
    float logprob = 0.0f;
    int64_t rank = 1;               // 1 + the number of tokens more likely than it (vLLM's rank)
    std::vector<TokenLogprob> top;  // the N best at that position, best first
};

// One generated token, and/or the end of the sequence. A finishing event with a token (EOS, a stop
// token, the max_tokens-th token) carries both; ABORT/ERROR events carry no token (token == -1).
struct TokenEvent {
    int32_t token = -1;
    float logprob = 0.0f;           // valid when top_logprobs >= 0 was requested
    std::vector<TokenLogprob> top;  // the top_logprobs best tokens, best first
    FinishReason finish = FinishReason::NONE;
    bool stopped_by_token = false;  // finish STOP because `token` is EOS or a stop token id
    std::string error;              // FinishReason::ERROR
    int64_t cached_tokens = -1;     // first token only: prompt tokens resumed from the prefix cache
    // First token only, with prompt_logprobs >= 0: prompt tokens 1..P-1 (token 0 has no logprob).
    std::vector<PromptLogprob> prompt_logprobs;
};

}  // namespace hy
