// The Anthropic error envelope (spec/api.md §6.5): {"type":"error","error":{"type","message"},
// "request_id"} with Anthropic's type names for every status, schema failures included (vLLM falls back
// to the OpenAI envelope there; the issue asks for the Anthropic one always).
#pragma once

#include <exception>

#include "api/api_response.h"
#include "api/openai_format.h"

namespace hy::api {

const char* anthropic_error_type(int http_status);  // invalid_request_error, authentication_error, …
OJson anthropic_error_json(const Error& e);
ApiResponse anthropic_error_response(const Error& e);
ApiResponse anthropic_error_response(const std::exception_ptr& ex);  // non-hy::Error → 500 api_error

}  // namespace hy::api
