// Pieces of the OpenAI wire format shared by chat and text completions (spec/api.md §2.1–2.2, §3–4).
#pragma once

#include <cstdint>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>

#include "api/api_response.h"
#include "core/error.h"

namespace hy::api {

using OJson = nlohmann::ordered_json;

// {"error":{"message","type","param","code"}} with the HTTP status as code (vLLM).
OJson error_json(const Error& e);
ApiResponse error_response(const Error& e);
// Any exception a handler lets through: hy::Error keeps its status, anything else is a 500.
ApiResponse error_response(const std::exception_ptr& ex);

std::string random_hex(size_t n);  // for chatcmpl-/cmpl- ids
int64_t unix_now();
std::string sse(const OJson& chunk);  // "data: <compact json>\n\n"
inline constexpr std::string_view kSseDone = "data: [DONE]\n\n";
// cached_tokens >= 0 fills prompt_tokens_details (--enable-prompt-tokens-details), else it is null.
OJson usage_json(int64_t prompt_tokens, int64_t completion_tokens, int64_t cached_tokens = -1);
// Dumps with invalid UTF-8 replaced by U+FFFD (model text can be any bytes).
std::string dump(const OJson& j);

}  // namespace hy::api
