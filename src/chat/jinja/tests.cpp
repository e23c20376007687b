// Jinja2's built-in tests (jinja2/tests.py). Python's type model shows through: bool is a number,
// strings and dicts are sequences, Undefined is iterable but not a sequence.
#include <unordered_map>

#include "chat/jinja/builtins.h"

namespace hy::jinja {
namespace {

using TestFn = bool (*)(Evaluator&, const Value&, CallArgs&);

const Value& need(const CallArgs& a, const char* test) {
    const Value* v = a.get(0, "other");
    if (!v) runtime_error(std::string("test '") + test + "' needs an argument");
    return *v;
}

int64_t int_of(const Value& v, const char* test) {
    if (!v.is_int()) {
        if (v.kind == Kind::Float) return static_cast<int64_t>(v.f);
        if (v.is_undefined() && !v.s.empty()) runtime_error(v.s);
        runtime_error(std::string("test '") + test + "' needs a number, got " + type_name(v));
    }
    return v.as_int();
}

int cmp(const Value& v, const CallArgs& a, const char* name) {
    const Value& o = need(a, name);
    if (v.is_undefined() || o.is_undefined()) runtime_error("undefined value in comparison");
    return compare(v, o);
}

bool t_defined(Evaluator&, const Value& v, CallArgs&) {
    return !v.is_undefined();
}
bool t_undefined(Evaluator&, const Value& v, CallArgs&) {
    return v.is_undefined();
}
bool t_none(Evaluator&, const Value& v, CallArgs&) {
    return v.is_none();
}
bool t_boolean(Evaluator&, const Value& v, CallArgs&) {
    return v.kind == Kind::Bool;
}
bool t_true(Evaluator&, const Value& v, CallArgs&) {
    return v.kind == Kind::Bool && v.b;
}
bool t_false(Evaluator&, const Value& v, CallArgs&) {
    return v.kind == Kind::Bool && !v.b;
}
bool t_integer(Evaluator&, const Value& v, CallArgs&) {
    return v.kind == Kind::Int;
}
bool t_float(Evaluator&, const Value& v, CallArgs&) {
    return v.kind == Kind::Float;
}
bool t_number(Evaluator&, const Value& v, CallArgs&) {
    return v.is_number();
}
bool t_string(Evaluator&, const Value& v, CallArgs&) {
    return v.kind == Kind::String;
}
bool t_mapping(Evaluator&, const Value& v, CallArgs&) {
    return v.kind == Kind::Dict;
}
bool t_sequence(Evaluator&, const Value& v, CallArgs&) {
    return v.kind == Kind::String || v.is_list_like() || v.kind == Kind::Dict;
}
bool t_iterable(Evaluator&, const Value& v, CallArgs&) {
    return v.kind == Kind::String || v.is_list_like() || v.kind == Kind::Dict || v.is_undefined();
}
bool t_callable(Evaluator&, const Value& v, CallArgs&) {
    return v.kind == Kind::Callable;
}
bool t_odd(Evaluator&, const Value& v, CallArgs&) {
    return int_of(v, "odd") % 2 != 0;
}
bool t_even(Evaluator&, const Value& v, CallArgs&) {
    return int_of(v, "even") % 2 == 0;
}
bool t_divisibleby(Evaluator&, const Value& v, CallArgs& a) {
    int64_t n = int_of(need(a, "divisibleby"), "divisibleby");
    if (n == 0) runtime_error("integer division or modulo by zero");
    return int_of(v, "divisibleby") % n == 0;
}
bool t_eq(Evaluator&, const Value& v, CallArgs& a) {
    return equals(v, need(a, "eq"));
}
bool t_ne(Evaluator&, const Value& v, CallArgs& a) {
    return !equals(v, need(a, "ne"));
}
bool t_lt(Evaluator&, const Value& v, CallArgs& a) {
    return cmp(v, a, "lt") < 0;
}
bool t_le(Evaluator&, const Value& v, CallArgs& a) {
    return cmp(v, a, "le") <= 0;
}
bool t_gt(Evaluator&, const Value& v, CallArgs& a) {
    return cmp(v, a, "gt") > 0;
}
bool t_ge(Evaluator&, const Value& v, CallArgs& a) {
    return cmp(v, a, "ge") >= 0;
}
bool t_in(Evaluator&, const Value& v, CallArgs& a) {
    const Value* seq = a.get(0, "seq");
    if (!seq) runtime_error("test 'in' needs an argument");
    return contains(*seq, v);
}
bool t_sameas(Evaluator&, const Value& v, CallArgs& a) {
    const Value& o = need(a, "sameas");
    if (v.kind != o.kind) return false;
    switch (v.kind) {
        case Kind::List:
        case Kind::Tuple:
            return v.list == o.list;
        case Kind::Dict:
        case Kind::Namespace:
            return v.dict == o.dict;
        case Kind::Callable:
            return v.fn == o.fn;
        default:
            return equals(v, o);
    }
}
bool t_lower(Evaluator&, const Value& v, CallArgs&) {
    std::string s = to_str(v);
    return py_lower(s) == s && py_upper(s) != s;
}
bool t_upper(Evaluator&, const Value& v, CallArgs&) {
    std::string s = to_str(v);
    return py_upper(s) == s && py_lower(s) != s;
}
bool t_escaped(Evaluator&, const Value&, CallArgs&) {
    return false;
}
bool t_filter(Evaluator&, const Value& v, CallArgs&) {
    return v.kind == Kind::String && has_filter(v.s);
}
bool t_test(Evaluator&, const Value& v, CallArgs&) {
    return v.kind == Kind::String && has_test(v.s);
}

const std::unordered_map<std::string, TestFn>& registry() {
    static const std::unordered_map<std::string, TestFn> m = {
        {"defined", t_defined},
        {"undefined", t_undefined},
        {"none", t_none},
        {"boolean", t_boolean},
        {"true", t_true},
        {"false", t_false},
        {"integer", t_integer},
        {"float", t_float},
        {"number", t_number},
        {"string", t_string},
        {"mapping", t_mapping},
        {"sequence", t_sequence},
        {"iterable", t_iterable},
        {"callable", t_callable},
        {"odd", t_odd},
        {"even", t_even},
        {"divisibleby", t_divisibleby},
        {"eq", t_eq},
        {"equalto", t_eq},
        {"==", t_eq},
        {"ne", t_ne},
        {"!=", t_ne},
        {"lt", t_lt},
        {"lessthan", t_lt},
        {"<", t_lt},
        {"le", t_le},
        {"<=", t_le},
        {"gt", t_gt},
        {"greaterthan", t_gt},
        {">", t_gt},
        {"ge", t_ge},
        {">=", t_ge},
        {"in", t_in},
        {"sameas", t_sameas},
        {"lower", t_lower},
        {"upper", t_upper},
        {"escaped", t_escaped},
        {"filter", t_filter},
        {"test", t_test},
    };
    return m;
}

}  // namespace

bool has_test(const std::string& name) {
    return registry().count(name) > 0;
}

bool apply_test(Evaluator& ev, const std::string& name, const Value& v, CallArgs& args) {
    auto it = registry().find(name);
    if (it == registry().end()) runtime_error("no test named '" + name + "'");
    return it->second(ev, v, args);
}

}  // namespace hy::jinja
