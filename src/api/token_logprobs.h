// The OpenAI logprob entry of generated tokens, shared by chat completions (choices[].logprobs.content)
// and the Responses API (output_text logprobs): {"token","logprob","bytes","top_logprobs":[…]}.
#pragma once

#include <vector>

#include "api/generation_run.h"
#include "api/openai_format.h"

namespace hy::api {

OJson token_logprob_entries(const ServingContext& ctx, const std::vector<GeneratedToken>& tokens);

}  // namespace hy::api
