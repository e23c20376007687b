// The OpenAI logprob entry of generated tokens, shared by chat completions (choices[].logprobs.content)
// and the Responses API (output_text logprobs): {"token","logprob","bytes","top_logprobs":[…]}.
#pragma once

#include <vector>

#include "api/generation_run.h"
#include "api/openai_format.h"

namespace hy::api {

// The text a logprob shows for a token: its decoded text, or vLLM's "token_id:N" when the request's
// return_tokens_as_token_ids (or --return-tokens-as-token-ids) asks for ids, since a token alone need
// not be valid UTF-8.
std::string logprob_token(const ServingContext& ctx, int32_t token, bool as_id);

OJson token_logprob_entries(const ServingContext& ctx, const std::vector<GeneratedToken>& tokens,
                            bool as_ids = false);

}  // namespace hy::api
