// Typed access to tokenizer.json fields with errors that name the file and key (untrusted input).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"

namespace hy::tok {

inline const nlohmann::json& json_field(const nlohmann::json& j, const char* key, const std::string& where) {
    if (!j.is_object() || !j.contains(key)) throw Error(where + ": missing key \"" + key + "\"");
    return j[key];
}

inline std::string json_string(const nlohmann::json& j, const char* key, const std::string& where,
                               const std::string& def) {
    if (!j.is_object() || !j.contains(key) || j[key].is_null()) return def;
    if (!j[key].is_string()) throw Error(where + "." + key + ": expected a string");
    return j[key].get<std::string>();
}

inline bool json_bool(const nlohmann::json& j, const char* key, const std::string& where, bool def) {
    if (!j.is_object() || !j.contains(key) || j[key].is_null()) return def;
    if (!j[key].is_boolean()) throw Error(where + "." + key + ": expected a boolean");
    return j[key].get<bool>();
}

inline long long json_int(const nlohmann::json& j, const char* key, const std::string& where, long long def) {
    if (!j.is_object() || !j.contains(key) || j[key].is_null()) return def;
    if (!j[key].is_number_integer()) throw Error(where + "." + key + ": expected an integer");
    return j[key].get<long long>();
}

inline std::string json_type(const nlohmann::json& j, const std::string& where) {
    if (!j.is_object()) throw Error(where + ": expected an object");
    return json_string(j, "type", where, "");
}

// The items of a "Sequence" component (j[key] must be an array); make(item, where) builds one and may
// return nullptr for a JSON null, which is skipped.
template <class T, class Make>
std::vector<std::unique_ptr<T>> json_sequence(const nlohmann::json& j, const char* key,
                                              const std::string& where, Make&& make) {
    const auto& list = json_field(j, key, where);
    if (!list.is_array()) throw Error(where + "." + key + ": expected an array");
    std::vector<std::unique_ptr<T>> items;
    for (size_t i = 0; i < list.size(); ++i)
        if (auto item = make(list[i], where + "." + key + "[" + std::to_string(i) + "]"))
            items.push_back(std::move(item));
    return items;
}

}  // namespace hy::tok
