// The Anthropic-compatible endpoints (spec/api.md §6): POST /v1/messages and
// /v1/messages/count_tokens. Errors come back in the Anthropic envelope, never as exceptions.
#pragma once

#include <string>

#include "api/api_response.h"
#include "api/serving_context.h"

namespace hy::api {

ApiResponse handle_messages(ServingContext& ctx, const std::string& body);
ApiResponse handle_count_tokens(ServingContext& ctx, const std::string& body);

}  // namespace hy::api
