// Runtime values of the Jinja engine, modelled on the Python objects Jinja2 works with so that
// printing, truthiness, comparison and arithmetic match Python (spec/model.md 6.4).
// Lists and dicts are shared (Python reference semantics: namespace attributes, aliasing).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace hy::jinja {

enum class Kind { Undefined, None, Bool, Int, Float, String, List, Tuple, Dict, Namespace, Callable };

struct Value;
struct DictData;
struct Callable;
class Evaluator;

using ValueList = std::vector<Value>;
using ListPtr = std::shared_ptr<ValueList>;
using DictPtr = std::shared_ptr<DictData>;
using CallablePtr = std::shared_ptr<Callable>;

struct Value {
    Kind kind = Kind::Undefined;
    bool b = false;
    int64_t i = 0;
    double f = 0.0;
    std::string s;  // String text; for Undefined the name that was looked up (error messages)
    ListPtr list;   // List, Tuple
    DictPtr dict;   // Dict, Namespace
    CallablePtr fn;

    Value() = default;
    static Value undefined(std::string hint = {});
    static Value none();
    static Value boolean(bool v);
    static Value integer(int64_t v);
    static Value number(double v);
    static Value string(std::string v);
    static Value new_list(ValueList items = {});
    static Value new_tuple(ValueList items = {});
    static Value new_dict();
    static Value callable(CallablePtr c);

    bool is_undefined() const { return kind == Kind::Undefined; }
    bool is_none() const { return kind == Kind::None; }
    bool is_string() const { return kind == Kind::String; }
    bool is_int() const { return kind == Kind::Int || kind == Kind::Bool; }  // Python: bool is an int
    bool is_number() const { return is_int() || kind == Kind::Float; }
    bool is_list_like() const { return kind == Kind::List || kind == Kind::Tuple; }
    bool is_mapping() const { return kind == Kind::Dict; }
    int64_t as_int() const { return kind == Kind::Bool ? (b ? 1 : 0) : i; }
    double as_double() const { return kind == Kind::Float ? f : static_cast<double>(as_int()); }
};

// Insertion-ordered mapping (Python dicts keep order; tojson and repr must too).
struct DictData {
    std::vector<std::pair<Value, Value>> items;
    const Value* find(const Value& key) const;
    const Value* find(std::string_view key) const;
    void set(const Value& key, Value v);
    void set(std::string_view key, Value v) { set(Value::string(std::string(key)), std::move(v)); }
};

struct CallArgs {
    ValueList pos;
    std::vector<std::pair<std::string, Value>> kw;
    // Positional or keyword argument `name` at position `index`, else nullptr.
    const Value* get(size_t index, std::string_view name) const;
};

struct Callable {
    std::string name;
    std::function<Value(Evaluator&, CallArgs&)> call;
};

// Python type name for messages ("str", "int", "list", ...).
std::string type_name(const Value& v);
// str(v) as Python prints it; Undefined prints as "".
std::string to_str(const Value& v);
// repr(v): strings quoted, containers recursive.
std::string to_repr(const Value& v);
std::string float_repr(double d);
std::string string_repr(std::string_view s);
bool truthy(const Value& v);
// Python ==, and the ordering of < (throws hy::Error for unorderable types).
bool equals(const Value& a, const Value& b);
int compare(const Value& a, const Value& b);
size_t length(const Value& v);  // len(); throws for values without a length
// Python iteration: list items, dict keys, string characters; Undefined iterates empty.
ValueList iterate(const Value& v);

// UTF-8 text as code points and back (Python indexes strings by code point).
std::u32string utf8_decode(std::string_view s);
std::string utf8_encode(std::u32string_view s);
size_t utf8_length(std::string_view s);

[[noreturn]] void runtime_error(const std::string& message);

}  // namespace hy::jinja
