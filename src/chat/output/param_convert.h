// qwen3_coder parameter value conversion (spec/api.md 8.4 step 4): the raw text between
// `<parameter=KEY>` and `</parameter>` becomes a JSON value chosen by the tool's JSON-schema type
// for KEY, exactly as vLLM's `_convert_param_value` does, and is written as json.dumps writes it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace hy::chat {

// `properties` is the tool's `parameters.properties` object (null/non-object = no schema, every
// value a string). Returns the JSON text of the converted value, e.g. `3`, `"Paris"`, `{"a": 1}`.
std::string convert_param_value(std::string_view raw, std::string_view key,
                                const nlohmann::ordered_json& properties);

}  // namespace hy::chat
