// The OpenAI-compatible endpoints (spec/api.md §3, §4, §7). Each takes the raw body and returns a
// response or a producer; errors come back as OpenAI-shaped error responses, never as exceptions.
#pragma once

#include <string>

#include "api/api_response.h"
#include "api/serving_context.h"

namespace hy::api {

ApiResponse handle_chat_completions(ServingContext& ctx, const std::string& body);
ApiResponse handle_completions(ServingContext& ctx, const std::string& body);
ApiResponse handle_models(const ServingContext& ctx);

}  // namespace hy::api
