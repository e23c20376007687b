// JSON in and out. Output is Python's json.dumps as Hugging Face's tojson filter calls it:
// ensure_ascii=False, separators ", " / ": " (or "," / ": " with indent), key order preserved,
// floats as repr(), Infinity/NaN spelled like Python.
#include "chat/jinja/json_value.h"

#include <algorithm>
#include <cstdio>

#include "chat/jinja/builtins.h"

namespace hy::jinja {
namespace {

constexpr int kMaxJsonDepth = 200;

struct JsonStyle {
    bool ensure_ascii = false;
    bool indent_on = false;
    std::string indent;
    std::string item_sep = ", ";
    std::string key_sep = ": ";
    bool sort_keys = false;
};

void put_string(std::string& out, const std::string& s, bool ensure_ascii) {
    out += '"';
    std::u32string cps = ensure_ascii ? utf8_decode(s) : std::u32string();
    auto esc = [&](char32_t c) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
        out += buf;
    };
    auto one = [&](char32_t c, const char* raw, size_t raw_len) {
        switch (c) {
            case '"':
                out += "\\\"";
                return;
            case '\\':
                out += "\\\\";
                return;
            case '\n':
                out += "\\n";
                return;
            case '\r':
                out += "\\r";
                return;
            case '\t':
                out += "\\t";
                return;
            case '\b':
                out += "\\b";
                return;
            case '\f':
                out += "\\f";
                return;
            default:
                break;
        }
        if (c < 0x20)
            esc(c);
        else if (ensure_ascii && c >= 0x7F) {
            if (c >= 0x10000) {
                char32_t v = c - 0x10000;
                esc(0xD800 + (v >> 10));
                esc(0xDC00 + (v & 0x3FF));
            } else {
                esc(c);
            }
        } else {
            out.append(raw, raw_len);
        }
    };
    if (ensure_ascii) {
        for (char32_t c : cps) {
            std::string raw = utf8_encode(std::u32string(1, c));
            one(c, raw.data(), raw.size());
        }
    } else {
        for (char ch : s) one(static_cast<unsigned char>(ch), &ch, 1);
    }
    out += '"';
}

std::string float_json(double d) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d < 0 ? "-Infinity" : "Infinity";
    return float_repr(d);
}

std::string key_text(const Value& k) {
    switch (k.kind) {
        case Kind::String:
            return k.s;
        case Kind::Int:
            return std::to_string(k.i);
        case Kind::Bool:
            return k.b ? "true" : "false";
        case Kind::Float:
            return float_json(k.f);
        case Kind::None:
            return "null";
        default:
            runtime_error("keys must be str, int, float, bool or None, not " + type_name(k));
    }
}

void put(std::string& out, const Value& v, const JsonStyle& st, int depth) {
    if (depth > kMaxJsonDepth) runtime_error("tojson: nesting too deep");
    auto newline = [&](int level) {
        if (!st.indent_on) return;
        out += '\n';
        for (int k = 0; k < level; ++k) out += st.indent;
    };
    switch (v.kind) {
        case Kind::None:
            out += "null";
            return;
        case Kind::Bool:
            out += v.b ? "true" : "false";
            return;
        case Kind::Int:
            out += std::to_string(v.i);
            return;
        case Kind::Float:
            out += float_json(v.f);
            return;
        case Kind::String:
            put_string(out, v.s, st.ensure_ascii);
            return;
        case Kind::List:
        case Kind::Tuple: {
            if (v.list->empty()) {
                out += "[]";
                return;
            }
            out += '[';
            for (size_t k = 0; k < v.list->size(); ++k) {
                if (k) out += st.item_sep;
                newline(depth + 1);
                put(out, (*v.list)[k], st, depth + 1);
            }
            newline(depth);
            out += ']';
            return;
        }
        case Kind::Dict: {
            if (v.dict->items.empty()) {
                out += "{}";
                return;
            }
            std::vector<std::pair<std::string, const Value*>> items;
            for (const auto& [k, x] : v.dict->items) items.emplace_back(key_text(k), &x);
            if (st.sort_keys)
                std::stable_sort(items.begin(), items.end(),
                                 [](const auto& a, const auto& b) { return a.first < b.first; });
            out += '{';
            bool first = true;
            for (const auto& [k, x] : items) {
                if (!first) out += st.item_sep;
                first = false;
                newline(depth + 1);
                put_string(out, k, st.ensure_ascii);
                out += st.key_sep;
                put(out, *x, st, depth + 1);
            }
            newline(depth);
            out += '}';
            return;
        }
        default:
            runtime_error("Object of type " + type_name(v) + " is not JSON serializable");
    }
}

}  // namespace

// Hugging Face: tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False).
std::string dump_json(const Value& v, const CallArgs& args) {
    JsonStyle st;
    if (const Value* a = args.get(0, "ensure_ascii")) st.ensure_ascii = truthy(*a);
    const Value* indent = args.get(1, "indent");
    if (indent && !indent->is_none() && !indent->is_undefined()) {
        st.indent_on = true;
        if (indent->kind == Kind::String)
            st.indent = indent->s;
        else if (indent->is_int())
            st.indent = std::string(static_cast<size_t>(std::clamp<int64_t>(indent->as_int(), 0, 1024)), ' ');
        else
            runtime_error("tojson: indent must be an integer or a string");
        st.item_sep = ",";
    }
    const Value* seps = args.get(2, "separators");
    if (seps && seps->is_list_like() && seps->list->size() == 2) {
        st.item_sep = to_str((*seps->list)[0]);
        st.key_sep = to_str((*seps->list)[1]);
    }
    if (const Value* sk = args.get(3, "sort_keys")) st.sort_keys = truthy(*sk);
    std::string out;
    put(out, v, st, 0);
    return out;
}

Value from_json(const nlohmann::ordered_json& j) {
    using T = nlohmann::ordered_json::value_t;
    switch (j.type()) {
        case T::null:
            return Value::none();
        case T::boolean:
            return Value::boolean(j.get<bool>());
        case T::number_integer:
            return Value::integer(j.get<int64_t>());
        case T::number_unsigned: {
            uint64_t u = j.get<uint64_t>();
            if (u > static_cast<uint64_t>(INT64_MAX)) return Value::number(static_cast<double>(u));
            return Value::integer(static_cast<int64_t>(u));
        }
        case T::number_float:
            return Value::number(j.get<double>());
        case T::string:
            return Value::string(j.get<std::string>());
        case T::array: {
            ValueList items;
            items.reserve(j.size());
            for (const auto& e : j) items.push_back(from_json(e));
            return Value::new_list(std::move(items));
        }
        case T::object: {
            Value d = Value::new_dict();
            for (auto it = j.begin(); it != j.end(); ++it)
                d.dict->items.emplace_back(Value::string(it.key()), from_json(it.value()));
            return d;
        }
        default:
            return Value::none();
    }
}

}  // namespace hy::jinja
