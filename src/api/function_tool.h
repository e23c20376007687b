// Flat tool definitions (Anthropic `{name, description, input_schema}`, Responses `{type: function,
// name, description, parameters}`) → the OpenAI nested form the chat template and parsers take.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "api/json_fields.h"

namespace hy::api {

// `where` names the tool in errors; `schema_key` is where its JSON schema lives (absent = none).
inline Json function_tool(const Json& t, const std::string& where, const char* schema_key) {
    auto name = opt_string(t, "name");
    if (!name) throw schema_error(where + ".name", "Field required");
    Json fn = {{"name", *name}};
    if (auto d = opt_string(t, "description")) fn["description"] = *d;
    if (const Json* schema = opt_object(t, schema_key)) fn["parameters"] = *schema;
    return {{"type", "function"}, {"function", fn}};
}

// Each entry of a `tools` array through `convert` (nullopt: the tool is left out).
inline Json convert_tools(
    const Json& tools,
    const std::function<std::optional<Json>(const Json& t, const std::string& where)>& convert) {
    if (!tools.is_array()) throw schema_error("tools", "Input should be a valid list");
    Json out = Json::array();
    for (size_t i = 0; i < tools.size(); ++i) {
        const std::string where = "tools[" + std::to_string(i) + "]";
        if (!tools[i].is_object()) throw schema_error(where, "Input should be a valid dictionary");
        if (auto t = convert(tools[i], where)) out.push_back(std::move(*t));
    }
    return out;
}

}  // namespace hy::api
