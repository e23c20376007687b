// Logprobs of raw model logits (vLLM's default logprobs mode: before any sampling processor), shared
// by the sampler (generated tokens) and the scheduler (prompt tokens, `prompt_logprobs`).
#pragma once

#include <cstdint>
#include <vector>

#include "engine/generation_request.h"

namespace hy {

// log_softmax(logits)[token] (floored at -9999 like vLLM) and, for top_n > 0, the top_n best tokens
// best first (ties by lower id) appended to `top`.
float raw_logprobs(const float* logits, int64_t V, int32_t token, int64_t top_n,
                   std::vector<TokenLogprob>& top);

// Prompt logprobs from the logits rows of prompt positions first .. first+n_rows-1 (row j predicts
// prompt token first+j+1): fills out[first+j] for every predicted position inside the prompt. `out`
// is sized prompt.size() - 1; refilling a position (after a preemption) gives the same entry.
void prompt_logprobs_from_rows(const float* rows, int64_t n_rows, int64_t V, int64_t first,
                               const std::vector<int32_t>& prompt, int top_n,
                               std::vector<PromptLogprob>& out);

}  // namespace hy
