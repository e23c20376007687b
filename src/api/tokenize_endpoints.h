// vLLM's POST /tokenize and /detokenize (spec/api.md §1, "vLLM extras"), which clients use to count and
// inspect tokens without generating. /tokenize takes either a completion-style `prompt` (special tokens
// added by default) or chat `messages` rendered by the chat template exactly as a chat completion would
// render them (generation prompt by default, no special tokens on top); it answers
// {count, max_model_len, tokens, token_strs}. /detokenize turns `tokens` back into {prompt}. Errors use
// the OpenAI envelope; no length check applies (the point is often to find out whether a prompt fits).
#pragma once

#include <string>

#include "api/api_response.h"
#include "api/serving_context.h"

namespace hy::api {

ApiResponse handle_tokenize(const ServingContext& ctx, const std::string& body);
ApiResponse handle_detokenize(const ServingContext& ctx, const std::string& body);

}  // namespace hy::api
