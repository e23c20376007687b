// See param_convert.h. The branches follow vLLM's qwen3_coder `_convert_param_value` in order
// (spec/api.md 8.4 step 4); each failed conversion falls back to the raw string.
#include "chat/output/param_convert.h"

#include <cmath>

#include "chat/output/py_value.h"

namespace hy::chat {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    return out;
}

std::string strip(std::string_view s) {
    const char* ws = " \t\n\r\f\v";
    std::size_t b = s.find_first_not_of(ws);
    if (b == std::string_view::npos) return {};
    std::size_t e = s.find_last_not_of(ws);
    return std::string(s.substr(b, e - b + 1));
}

bool starts_with_any(const std::string& s, std::initializer_list<std::string_view> prefixes) {
    for (auto p : prefixes)
        if (s.starts_with(p)) return true;
    return false;
}

// The schema type as vLLM computes it: str(type).strip().lower(); `anyOf` without `type` is an
// object; no type is a string. A non-string `type` (e.g. ["integer","null"]) matches no branch by
// name and so reaches the literal_eval fallback, as in Python.
std::string schema_type(const nlohmann::ordered_json& prop) {
    if (prop.is_object() && prop.contains("type")) {
        const auto& t = prop["type"];
        return t.is_string() ? lower(strip(t.get<std::string>())) : std::string("\x01other");
    }
    if (prop.is_object() && prop.contains("anyOf")) return "object";
    return "string";
}

}  // namespace

std::string convert_param_value(std::string_view raw, std::string_view key,
                                const nlohmann::ordered_json& properties) {
    const std::string as_string = py_json_quote(raw);
    if (lower(raw) == "null") return "null";
    if (!properties.is_object()) return as_string;
    auto it = properties.find(std::string(key));
    if (it == properties.end()) return as_string;
    const std::string type = schema_type(*it);

    if (type == "string" || type == "str" || type == "text" || type == "varchar" || type == "char" ||
        type == "enum")
        return as_string;
    if (starts_with_any(type, {"int", "uint", "long", "short", "unsigned"})) {
        auto digits = py_int(raw);
        return digits ? *digits : as_string;
    }
    if (starts_with_any(type, {"num", "float"})) {
        auto d = py_float(raw);
        if (!d || !std::isfinite(*d)) return as_string;  // int(inf)/int(nan) raise in Python
        if (*d == std::trunc(*d)) return py_integral_double_digits(*d);
        return py_float_repr(*d);
    }
    if (type == "boolean" || type == "bool" || type == "binary")
        return lower(raw) == "true" ? "true" : "false";
    if (type == "object" || type == "array" || type == "arr" || starts_with_any(type, {"dict", "list"})) {
        if (auto v = py_json_loads(raw)) return py_json_dumps(*v);
    }
    if (auto v = py_literal_eval(raw)) return py_json_dumps(*v);
    return as_string;
}

}  // namespace hy::chat
