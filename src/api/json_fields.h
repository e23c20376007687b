// Typed reads of optional request-body fields with vLLM-style validation (spec/api.md: `null` =
// default, unknown fields ignored). Type errors are schema failures (400 "Bad Request", like
// pydantic); range checks made by callers use bad_request() (400 "BadRequestError").
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace hy::api {

using Json = nlohmann::ordered_json;

Error schema_error(const std::string& field, const std::string& what);         // 400 "Bad Request"
Error bad_request(const std::string& message, const std::string& param = {});  // 400 "BadRequestError"

// Each returns nullopt when the key is absent or null, and throws schema_error on a wrong type.
std::optional<bool> opt_bool(const Json& body, const char* key);
std::optional<int64_t> opt_int(const Json& body, const char* key);  // integral numbers that fit int64
std::optional<double> opt_number(const Json& body, const char* key);
std::optional<std::string> opt_string(const Json& body, const char* key);
// A string or an array of strings (stop).
std::vector<std::string> opt_string_list(const Json& body, const char* key);
// An array of integers (stop_token_ids).
std::vector<int64_t> opt_int_list(const Json& body, const char* key);
// An object that must be an object when present.
const Json* opt_object(const Json& body, const char* key);

}  // namespace hy::api
