#include "api/json_fields.h"

#include <cmath>

namespace hy::api {

Error schema_error(const std::string& field, const std::string& what) {
    return Error("1 validation error for request: " + field + ": " + what, 400, "Bad Request", field);
}

Error bad_request(const std::string& message, const std::string& param) {
    return Error(message, 400, "BadRequestError", param);
}

namespace {

const Json* find(const Json& body, const char* key) {
    auto it = body.find(key);
    if (it == body.end() || it->is_null()) return nullptr;
    return &*it;
}

std::optional<int64_t> as_int(const Json& v) {
    if (v.is_number_integer()) {
        if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
            return std::nullopt;
        return v.get<int64_t>();
    }
    if (v.is_number_float()) {  // pydantic accepts 5.0 for an int field
        const double d = v.get<double>();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.2e18) return static_cast<int64_t>(d);
    }
    return std::nullopt;
}

}  // namespace

std::optional<bool> opt_bool(const Json& body, const char* key) {
    const Json* v = find(body, key);
    if (!v) return std::nullopt;
    if (!v->is_boolean()) throw schema_error(key, "Input should be a valid boolean");
    return v->get<bool>();
}

std::optional<int64_t> opt_int(const Json& body, const char* key) {
    const Json* v = find(body, key);
    if (!v) return std::nullopt;
    if (v->is_boolean() || !v->is_number()) throw schema_error(key, "Input should be a valid integer");
    auto i = as_int(*v);
    if (!i) throw schema_error(key, "Input should be a valid integer that fits in 64 bits");
    return i;
}

std::optional<double> opt_number(const Json& body, const char* key) {
    const Json* v = find(body, key);
    if (!v) return std::nullopt;
    if (v->is_boolean() || !v->is_number()) throw schema_error(key, "Input should be a valid number");
    const double d = v->get<double>();
    if (!std::isfinite(d)) throw schema_error(key, "Input should be a finite number");
    return d;
}

std::optional<std::string> opt_string(const Json& body, const char* key) {
    const Json* v = find(body, key);
    if (!v) return std::nullopt;
    if (!v->is_string()) throw schema_error(key, "Input should be a valid string");
    return v->get<std::string>();
}

std::vector<std::string> opt_string_list(const Json& body, const char* key) {
    const Json* v = find(body, key);
    if (!v) return {};
    if (v->is_string()) return {v->get<std::string>()};
    if (!v->is_array()) throw schema_error(key, "Input should be a valid string or list of strings");
    std::vector<std::string> out;
    for (const auto& e : *v) {
        if (!e.is_string()) throw schema_error(key, "Input should be a valid string");
        out.push_back(e.get<std::string>());
    }
    return out;
}

std::vector<int64_t> opt_int_list(const Json& body, const char* key) {
    const Json* v = find(body, key);
    if (!v) return {};
    if (!v->is_array()) throw schema_error(key, "Input should be a valid list");
    std::vector<int64_t> out;
    for (const auto& e : *v) {
        auto i = e.is_boolean() ? std::nullopt : as_int(e);
        if (!i) throw schema_error(key, "Input should be a valid integer");
        out.push_back(*i);
    }
    return out;
}

const Json* opt_object(const Json& body, const char* key) {
    const Json* v = find(body, key);
    if (v && !v->is_object()) throw schema_error(key, "Input should be a valid dictionary");
    return v;
}

}  // namespace hy::api
