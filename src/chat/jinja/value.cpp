#include "chat/jinja/value.h"

#include <cmath>
#include <cstdio>

#include "chat/py_float.h"

namespace hy::jinja {

void runtime_error(const std::string& message) {
    throw Error("template error: " + message);
}

Value Value::undefined(std::string hint) {
    Value v;
    v.s = std::move(hint);
    return v;
}
Value Value::none() {
    Value v;
    v.kind = Kind::None;
    return v;
}
Value Value::boolean(bool x) {
    Value v;
    v.kind = Kind::Bool;
    v.b = x;
    return v;
}
Value Value::integer(int64_t x) {
    Value v;
    v.kind = Kind::Int;
    v.i = x;
    return v;
}
Value Value::number(double x) {
    Value v;
    v.kind = Kind::Float;
    v.f = x;
    return v;
}
Value Value::string(std::string x) {
    Value v;
    v.kind = Kind::String;
    v.s = std::move(x);
    return v;
}
Value Value::new_list(ValueList items) {
    Value v;
    v.kind = Kind::List;
    v.list = std::make_shared<ValueList>(std::move(items));
    return v;
}
Value Value::new_tuple(ValueList items) {
    Value v = new_list(std::move(items));
    v.kind = Kind::Tuple;
    return v;
}
Value Value::new_dict() {
    Value v;
    v.kind = Kind::Dict;
    v.dict = std::make_shared<DictData>();
    return v;
}
Value Value::callable(CallablePtr c) {
    Value v;
    v.kind = Kind::Callable;
    v.fn = std::move(c);
    return v;
}

const Value* DictData::find(const Value& key) const {
    for (const auto& [k, v] : items)
        if (equals(k, key)) return &v;
    return nullptr;
}
const Value* DictData::find(std::string_view key) const {
    for (const auto& [k, v] : items)
        if (k.kind == Kind::String && k.s == key) return &v;
    return nullptr;
}
void DictData::set(const Value& key, Value v) {
    for (auto& [k, old] : items) {
        if (equals(k, key)) {
            old = std::move(v);
            return;
        }
    }
    items.emplace_back(key, std::move(v));
}

const Value* CallArgs::get(size_t index, std::string_view name) const {
    if (index < pos.size()) return &pos[index];
    for (const auto& [k, v] : kw)
        if (k == name) return &v;
    return nullptr;
}

std::string type_name(const Value& v) {
    switch (v.kind) {
        case Kind::Undefined:
            return "Undefined";
        case Kind::None:
            return "NoneType";
        case Kind::Bool:
            return "bool";
        case Kind::Int:
            return "int";
        case Kind::Float:
            return "float";
        case Kind::String:
            return "str";
        case Kind::List:
            return "list";
        case Kind::Tuple:
            return "tuple";
        case Kind::Dict:
            return "dict";
        case Kind::Namespace:
            return "Namespace";
        case Kind::Callable:
            return "function";
    }
    return "object";
}

// Python's repr(float).
std::string float_repr(double d) {
    if (std::isnan(d)) return "nan";
    if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
    return chat::python_finite_float_repr(d);
}

std::u32string utf8_decode(std::string_view s) {
    std::u32string out;
    out.reserve(s.size());
    size_t k = 0;
    while (k < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[k]);
        int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
        bool ok = n > 0 && k + n <= s.size();
        for (int j = 1; ok && j < n; ++j) {
            unsigned char cc = static_cast<unsigned char>(s[k + j]);
            if ((cc & 0xC0) != 0x80) ok = false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if (!ok) {  // keep invalid bytes round-trippable (Python's surrogateescape)
            out.push_back(0xDC00 + c);
            ++k;
            continue;
        }
        out.push_back(cp);
        k += n;
    }
    return out;
}

std::string utf8_encode(std::u32string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char32_t cp : s) {
        if (cp >= 0xDC80 && cp <= 0xDCFF) {
            out.push_back(static_cast<char>(cp - 0xDC00));
        } else if (cp < 0x80) {
            out.push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
            out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else {
            out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
    }
    return out;
}

size_t utf8_length(std::string_view s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

// str.isprintable() for the code points repr() escapes (controls, separators, format chars).
static bool printable(char32_t c) {
    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0xA0) || c == 0xAD) return false;
    if (c == 0x1680 || (c >= 0x2000 && c <= 0x200F) || (c >= 0x2028 && c <= 0x202F)) return false;
    if ((c >= 0x205F && c <= 0x206F) || c == 0x3000 || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFB))
        return false;
    if (c >= 0xD800 && c <= 0xDFFF) return false;
    return true;
}

std::string string_repr(std::string_view s) {
    bool has_single = s.find('\'') != std::string_view::npos;
    bool has_double = s.find('"') != std::string_view::npos;
    char q = has_single && !has_double ? '"' : '\'';
    std::u32string cps = utf8_decode(s);
    std::u32string out;
    out.push_back(q);
    auto ascii = [&](const char* t) {
        for (; *t; ++t) out.push_back(static_cast<unsigned char>(*t));
    };
    for (char32_t c : cps) {
        if (c == static_cast<char32_t>(q) || c == '\\') {
            out.push_back('\\');
            out.push_back(c);
        } else if (c == '\n') {
            ascii("\\n");
        } else if (c == '\r') {
            ascii("\\r");
        } else if (c == '\t') {
            ascii("\\t");
        } else if (!printable(c)) {
            char buf[16];
            if (c < 0x100)
                std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(c));
            else if (c < 0x10000)
                std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
            else
                std::snprintf(buf, sizeof buf, "\\U%08x", static_cast<unsigned>(c));
            ascii(buf);
        } else {
            out.push_back(c);
        }
    }
    out.push_back(q);
    return utf8_encode(out);
}

static std::string container_repr(const Value& v) {
    std::string out;
    if (v.kind == Kind::Dict || v.kind == Kind::Namespace) {
        out = v.kind == Kind::Namespace ? "<Namespace {" : "{";
        bool first = true;
        for (const auto& [k, x] : v.dict->items) {
            if (!first) out += ", ";
            first = false;
            out += to_repr(k) + ": " + to_repr(x);
        }
        out += v.kind == Kind::Namespace ? "}>" : "}";
        return out;
    }
    bool tuple = v.kind == Kind::Tuple;
    out = tuple ? "(" : "[";
    for (size_t k = 0; k < v.list->size(); ++k) {
        if (k) out += ", ";
        out += to_repr((*v.list)[k]);
    }
    if (tuple && v.list->size() == 1) out += ",";
    out += tuple ? ")" : "]";
    return out;
}

std::string to_str(const Value& v) {
    switch (v.kind) {
        case Kind::Undefined:
            return "";
        case Kind::String:
            return v.s;
        default:
            return to_repr(v);
    }
}

std::string to_repr(const Value& v) {
    switch (v.kind) {
        case Kind::Undefined:
            return "";
        case Kind::None:
            return "None";
        case Kind::Bool:
            return v.b ? "True" : "False";
        case Kind::Int:
            return std::to_string(v.i);
        case Kind::Float:
            return float_repr(v.f);
        case Kind::String:
            return string_repr(v.s);
        case Kind::Callable:
            return "<function " + v.fn->name + ">";
        default:
            return container_repr(v);
    }
}

bool truthy(const Value& v) {
    switch (v.kind) {
        case Kind::Undefined:
        case Kind::None:
            return false;
        case Kind::Bool:
            return v.b;
        case Kind::Int:
            return v.i != 0;
        case Kind::Float:
            return v.f != 0.0;
        case Kind::String:
            return !v.s.empty();
        case Kind::List:
        case Kind::Tuple:
            return !v.list->empty();
        case Kind::Dict:
            return !v.dict->items.empty();
        default:
            return true;
    }
}

bool equals(const Value& a, const Value& b) {
    if (a.is_number() && b.is_number()) {
        if (a.kind == Kind::Float || b.kind == Kind::Float) return a.as_double() == b.as_double();
        return a.as_int() == b.as_int();
    }
    if (a.kind != b.kind) {
        // list == tuple is False in Python; everything else of different kinds differs too.
        return false;
    }
    switch (a.kind) {
        case Kind::Undefined:
        case Kind::None:
            return true;
        case Kind::String:
            return a.s == b.s;
        case Kind::List:
        case Kind::Tuple: {
            if (a.list->size() != b.list->size()) return false;
            for (size_t k = 0; k < a.list->size(); ++k)
                if (!equals((*a.list)[k], (*b.list)[k])) return false;
            return true;
        }
        case Kind::Dict:
        case Kind::Namespace: {
            if (a.dict->items.size() != b.dict->items.size()) return false;
            for (const auto& [k, x] : a.dict->items) {
                const Value* y = b.dict->find(k);
                if (!y || !equals(x, *y)) return false;
            }
            return true;
        }
        case Kind::Callable:
            return a.fn == b.fn;
        default:
            return false;
    }
}

int compare(const Value& a, const Value& b) {
    if (a.is_number() && b.is_number()) {
        if (a.kind == Kind::Float || b.kind == Kind::Float) {
            double x = a.as_double(), y = b.as_double();
            return x < y ? -1 : x > y ? 1 : 0;
        }
        int64_t x = a.as_int(), y = b.as_int();
        return x < y ? -1 : x > y ? 1 : 0;
    }
    if (a.kind == Kind::String && b.kind == Kind::String) {
        int c = a.s.compare(b.s);  // UTF-8 byte order is code point order
        return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    if (a.is_list_like() && a.kind == b.kind) {
        size_t n = std::min(a.list->size(), b.list->size());
        for (size_t k = 0; k < n; ++k) {
            if (equals((*a.list)[k], (*b.list)[k])) continue;
            return compare((*a.list)[k], (*b.list)[k]);
        }
        return a.list->size() < b.list->size() ? -1 : a.list->size() > b.list->size() ? 1 : 0;
    }
    runtime_error("'<' not supported between instances of '" + type_name(a) + "' and '" + type_name(b) + "'");
}

size_t length(const Value& v) {
    switch (v.kind) {
        case Kind::Undefined:
            return 0;
        case Kind::String:
            return utf8_length(v.s);
        case Kind::List:
        case Kind::Tuple:
            return v.list->size();
        case Kind::Dict:
            return v.dict->items.size();
        default:
            runtime_error("object of type '" + type_name(v) + "' has no len()");
    }
}

ValueList iterate(const Value& v) {
    switch (v.kind) {
        case Kind::Undefined:
            return {};
        case Kind::List:
        case Kind::Tuple:
            return *v.list;
        case Kind::Dict: {
            ValueList keys;
            for (const auto& kv : v.dict->items) keys.push_back(kv.first);
            return keys;
        }
        case Kind::String: {
            ValueList chars;
            for (char32_t c : utf8_decode(v.s))
                chars.push_back(Value::string(utf8_encode(std::u32string(1, c))));
            return chars;
        }
        default:
            runtime_error("'" + type_name(v) + "' object is not iterable");
    }
}

}  // namespace hy::jinja
