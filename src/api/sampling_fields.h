// The sampling and stop fields shared by chat and text completions (spec/api.md §2.3, §3.1, §4),
// read and range-checked with vLLM's messages.
#pragma once

#include <string>
#include <vector>

#include "api/json_fields.h"
#include "api/serving_context.h"
#include "engine/generation_request.h"

namespace hy::api {

struct SamplingFields {
    SamplingParams params;              // max_tokens filled in by finish_max_tokens()
    std::optional<int64_t> max_tokens;  // as requested (max_completion_tokens ?? max_tokens)
    int64_t n = 1;
    std::vector<std::string> stop;
    bool include_stop_str_in_output = false;
    bool skip_special_tokens = true;
    bool stream = false;
    bool include_usage = false;
    bool continuous_usage_stats = false;
    bool echo = false;
    bool return_token_ids = false;  // [ext] prompt_token_ids / token_ids in responses
    int64_t priority = 0;           // [ext] vLLM priority: lower is scheduled first (engine/scheduler.h)
    std::string cache_salt;         // [ext] vLLM cache_salt: only equal salts share cached prefixes
    int prompt_logprobs = -1;       // [ext] vLLM prompt_logprobs (completions): -1 off, else N best
    std::optional<bool> add_special_tokens;         // [ext] the tokenizer's BOS/EOS on top of the prompt
    std::optional<int64_t> truncate_prompt_tokens;  // [ext] keep only the prompt's last N tokens
    bool tokens_as_ids = false;  // [ext] return_tokens_as_token_ids (default: the server's flag)
};

SamplingFields read_sampling_fields(const Json& body, const ServingContext& ctx, bool chat);

// The effective max_tokens for a prompt of `prompt_tokens` (spec/api.md §2.1/§2.3): 400 with the token
// counts when the prompt or prompt + max_tokens does not fit the context.
void finish_max_tokens(SamplingFields& f, int64_t prompt_tokens, const ServingContext& ctx, bool chat);

// vLLM's truncate_prompt_tokens: keeps the last N prompt tokens (left truncation). Returns how many were
// cut from the front.
size_t truncate_prompt(std::vector<int32_t>& prompt, const SamplingFields& f);

// Model name check: omitted/empty is accepted, anything else must be a served name (404).
void check_model(const Json& body, const ServingContext& ctx);

}  // namespace hy::api
