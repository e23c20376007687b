// Attribute and item access with Jinja2's sandboxed rules: `obj.name` looks for a method first,
// then a key; `obj[key]` the other way round; a miss is Undefined. Methods that would mutate a
// list or dict are refused like ImmutableSandboxedEnvironment does (Hugging Face's environment).
#include <algorithm>

#include "chat/jinja/builtins.h"
#include "chat/jinja/evaluator.h"

namespace hy::jinja {
namespace {

const Value* arg(const CallArgs& a, size_t i, const char* name) {
    return a.get(i, name);
}

const std::string& str_arg(const CallArgs& a, size_t i, const char* name, const char* method) {
    const Value* v = a.get(i, name);
    if (!v || v->kind != Kind::String)
        runtime_error(std::string(method) + "() argument must be str, not " +
                      (v ? type_name(*v) : "missing"));
    return v->s;
}

bool affix_match(const std::string& s, const Value* affix, bool prefix, const char* method) {
    if (!affix) runtime_error(std::string(method) + "() takes at least 1 argument (0 given)");
    auto one = [&](const Value& v) {
        if (v.kind != Kind::String)
            runtime_error(std::string(method) + " first arg must be str or a tuple of str, not " +
                          type_name(v));
        if (v.s.size() > s.size()) return false;
        return prefix ? s.compare(0, v.s.size(), v.s) == 0
                      : s.compare(s.size() - v.s.size(), v.s.size(), v.s) == 0;
    };
    if (affix->kind == Kind::Tuple) return std::any_of(affix->list->begin(), affix->list->end(), one);
    return one(*affix);
}

Value pad(const std::string& s, const CallArgs& a, char how) {
    const Value* w = arg(a, 0, "width");
    if (!w || !w->is_int()) runtime_error("width must be an integer");
    const Value* f = arg(a, 1, "fillchar");
    std::string fill = f && f->kind == Kind::String ? f->s : " ";
    int64_t len = static_cast<int64_t>(utf8_length(s));
    int64_t width = std::min<int64_t>(w->as_int(), 1 << 24);
    if (width <= len) return Value::string(s);
    int64_t marg = width - len;
    int64_t left = how == '<' ? 0 : how == '>' ? marg : marg / 2 + (marg & width & 1);
    std::string out;
    for (int64_t k = 0; k < left; ++k) out += fill;
    out += s;
    for (int64_t k = 0; k < marg - left; ++k) out += fill;
    return Value::string(std::move(out));
}

int64_t count_or_find(const std::string& s, const std::string& sub, char what) {
    if (what == 'c') {
        if (sub.empty()) return static_cast<int64_t>(utf8_length(s)) + 1;
        int64_t n = 0;
        for (size_t p = s.find(sub); p != std::string::npos; p = s.find(sub, p + sub.size())) ++n;
        return n;
    }
    size_t p = what == 'f' ? s.find(sub) : s.rfind(sub);
    return p == std::string::npos ? -1 : static_cast<int64_t>(utf8_length(s.substr(0, p)));
}

bool all_chars(const std::string& s, bool (*pred)(char32_t)) {
    std::u32string cps = utf8_decode(s);
    return !cps.empty() && std::all_of(cps.begin(), cps.end(), pred);
}

Value string_method(Evaluator& ev, const std::string& s, const std::string& name, CallArgs& a) {
    if (name == "strip" || name == "lstrip" || name == "rstrip")
        return Value::string(py_strip(s, arg(a, 0, "chars"), name != "rstrip", name != "lstrip"));
    if (name == "split" || name == "rsplit")
        return py_split(s, arg(a, 0, "sep"), arg(a, 1, "maxsplit"), name == "rsplit");
    if (name == "splitlines") {
        ValueList lines;
        size_t start = 0;
        for (size_t k = 0; k < s.size(); ++k) {
            if (s[k] == '\n' || s[k] == '\r') {
                lines.push_back(Value::string(s.substr(start, k - start)));
                if (s[k] == '\r' && k + 1 < s.size() && s[k + 1] == '\n') ++k;
                start = k + 1;
            }
        }
        if (start < s.size()) lines.push_back(Value::string(s.substr(start)));
        return Value::new_list(std::move(lines));
    }
    if (name == "startswith" || name == "endswith")
        return Value::boolean(affix_match(s, arg(a, 0, "prefix"), name == "startswith", name.c_str()));
    if (name == "replace") {
        const Value* c = arg(a, 2, "count");
        std::string out = py_replace(s, str_arg(a, 0, "old", "replace"), str_arg(a, 1, "new", "replace"),
                                     c && c->is_int() ? c->as_int() : -1);
        ev.check_size(out.size());
        return Value::string(std::move(out));
    }
    if (name == "upper") return Value::string(py_upper(s));
    if (name == "lower") return Value::string(py_lower(s));
    if (name == "title") return Value::string(py_title(s));
    if (name == "capitalize") return Value::string(py_capitalize(s));
    if (name == "format") return Value::string(str_format(s, a));
    if (name == "join") {
        const Value* items = arg(a, 0, "iterable");
        if (!items) runtime_error("join() takes exactly one argument");
        std::string out;
        bool first = true;
        for (const auto& v : iterate(*items)) {
            if (v.kind != Kind::String)
                runtime_error("sequence item: expected str instance, " + type_name(v) + " found");
            if (!first) out += s;
            first = false;
            out += v.s;
            ev.check_size(out.size());
        }
        return Value::string(std::move(out));
    }
    if (name == "count") return Value::integer(count_or_find(s, str_arg(a, 0, "sub", "count"), 'c'));
    if (name == "find") return Value::integer(count_or_find(s, str_arg(a, 0, "sub", "find"), 'f'));
    if (name == "rfind") return Value::integer(count_or_find(s, str_arg(a, 0, "sub", "rfind"), 'r'));
    if (name == "index" || name == "rindex") {
        int64_t at = count_or_find(s, str_arg(a, 0, "sub", name.c_str()), name == "index" ? 'f' : 'r');
        if (at < 0) runtime_error("substring not found");
        return Value::integer(at);
    }
    if (name == "isdigit")
        return Value::boolean(all_chars(s, [](char32_t c) { return c >= '0' && c <= '9'; }));
    if (name == "isspace") return Value::boolean(!s.empty() && py_strip(s, nullptr, true, false).empty());
    if (name == "isalpha")
        return Value::boolean(all_chars(s, [](char32_t c) { return (c | 32) >= 'a' && (c | 32) <= 'z'; }));
    if (name == "isalnum")
        return Value::boolean(all_chars(
            s, [](char32_t c) { return ((c | 32) >= 'a' && (c | 32) <= 'z') || (c >= '0' && c <= '9'); }));
    if (name == "isupper") return Value::boolean(py_upper(s) == s && py_lower(s) != s);
    if (name == "islower") return Value::boolean(py_lower(s) == s && py_upper(s) != s);
    if (name == "center") return pad(s, a, '^');
    if (name == "ljust") return pad(s, a, '<');
    if (name == "rjust") return pad(s, a, '>');
    if (name == "removeprefix" || name == "removesuffix") {
        const std::string& x = str_arg(a, 0, "affix", name.c_str());
        Value xv = Value::string(x);
        if (!affix_match(s, &xv, name == "removeprefix", name.c_str())) return Value::string(s);
        return Value::string(name == "removeprefix" ? s.substr(x.size()) : s.substr(0, s.size() - x.size()));
    }
    runtime_error("'str object' has no attribute '" + name + "'");
}

const char* const kStringMethods[] = {
    "strip",   "lstrip",  "rstrip", "split",  "rsplit",     "splitlines",   "startswith",  "endswith",
    "replace", "upper",   "lower",  "title",  "capitalize", "format",       "join",        "count",
    "find",    "rfind",   "index",  "rindex", "isdigit",    "isspace",      "isalpha",     "isalnum",
    "isupper", "islower", "center", "ljust",  "rjust",      "removeprefix", "removesuffix"};
const char* const kDictMethods[] = {"items", "keys", "values", "get", "copy"};
const char* const kDictMutators[] = {"pop", "popitem", "setdefault", "update", "clear"};
const char* const kListMethods[] = {"count", "index", "copy"};
const char* const kListMutators[] = {"append", "extend",  "insert", "pop",
                                     "remove", "reverse", "sort",   "clear"};

template <size_t N>
bool in(const char* const (&names)[N], const std::string& n) {
    return std::find_if(std::begin(names), std::end(names), [&](const char* x) { return n == x; }) !=
           std::end(names);
}

Value dict_method(const Value& d, const std::string& name, CallArgs& a) {
    if (name == "items") {
        ValueList out;
        for (const auto& [k, v] : d.dict->items) out.push_back(Value::new_tuple({k, v}));
        return Value::new_list(std::move(out));
    }
    if (name == "keys" || name == "values") {
        ValueList out;
        for (const auto& [k, v] : d.dict->items) out.push_back(name == "keys" ? k : v);
        return Value::new_list(std::move(out));
    }
    if (name == "get") {
        const Value* key = arg(a, 0, "key");
        if (!key) runtime_error("get expected at least 1 argument, got 0");
        if (const Value* v = d.dict->find(*key)) return *v;
        const Value* def = arg(a, 1, "default");
        return def ? *def : Value::none();
    }
    Value copy = Value::new_dict();
    copy.dict->items = d.dict->items;
    return copy;
}

Value list_method(const Value& l, const std::string& name, CallArgs& a) {
    if (name == "copy") return Value::new_list(*l.list);
    const Value* x = arg(a, 0, "value");
    if (!x) runtime_error(name + "() takes exactly one argument (0 given)");
    int64_t n = 0;
    for (size_t k = 0; k < l.list->size(); ++k) {
        if (!equals((*l.list)[k], *x)) continue;
        if (name == "index") return Value::integer(static_cast<int64_t>(k));
        ++n;
    }
    if (name == "index") runtime_error(to_repr(*x) + " is not in list");
    return Value::integer(n);
}

Value bound(const Value& obj, const std::string& name, bool unsafe) {
    auto c = std::make_shared<Callable>();
    c->name = type_name(obj) + "." + name;
    c->call = [obj, name, unsafe](Evaluator& ev, CallArgs& a) -> Value {
        if (unsafe)
            runtime_error("access to attribute '" + name + "' of '" + type_name(obj) + "' object is unsafe.");
        if (obj.kind == Kind::String) return string_method(ev, obj.s, name, a);
        if (obj.kind == Kind::Dict) return dict_method(obj, name, a);
        return list_method(obj, name, a);
    };
    return Value::callable(c);
}

Value missing_attr(const Value& obj, const std::string& name) {
    return Value::undefined("'" + type_name(obj) + " object' has no attribute '" + name + "'");
}

int64_t normalize_index(int64_t i, size_t n) {
    return i < 0 ? i + static_cast<int64_t>(n) : i;
}

}  // namespace

Value get_attr(const Value& obj, const std::string& name) {
    switch (obj.kind) {
        case Kind::Undefined:
            runtime_error(obj.s.empty() ? "'" + name + "' of an undefined value" : obj.s);
        case Kind::String:
            if (in(kStringMethods, name)) return bound(obj, name, false);
            return missing_attr(obj, name);
        case Kind::Dict:
            if (in(kDictMethods, name)) return bound(obj, name, false);
            if (in(kDictMutators, name)) return bound(obj, name, true);
            if (const Value* v = obj.dict->find(name)) return *v;
            return missing_attr(obj, name);
        case Kind::Namespace:
            if (const Value* v = obj.dict->find(name)) return *v;
            return missing_attr(obj, name);
        case Kind::List:
        case Kind::Tuple:
            if (in(kListMethods, name)) return bound(obj, name, false);
            if (obj.kind == Kind::List && in(kListMutators, name)) return bound(obj, name, true);
            return missing_attr(obj, name);
        default:
            return missing_attr(obj, name);
    }
}

Value get_item(const Value& obj, const Value& key) {
    switch (obj.kind) {
        case Kind::Undefined:
            runtime_error(obj.s.empty() ? "undefined value has no items" : obj.s);
        case Kind::Dict:
        case Kind::Namespace:
            if (const Value* v = obj.dict->find(key)) return *v;
            if (key.kind == Kind::String && obj.kind == Kind::Dict) return get_attr(obj, key.s);
            return Value::undefined("'" + type_name(obj) + " object' has no attribute " + to_repr(key));
        case Kind::List:
        case Kind::Tuple: {
            if (!key.is_int())
                return Value::undefined("'" + type_name(obj) + " object' has no attribute " + to_repr(key));
            int64_t i = normalize_index(key.as_int(), obj.list->size());
            if (i < 0 || i >= static_cast<int64_t>(obj.list->size()))
                return Value::undefined("'" + type_name(obj) + " object' has no element " + to_repr(key));
            return (*obj.list)[static_cast<size_t>(i)];
        }
        case Kind::String: {
            if (!key.is_int()) return key.kind == Kind::String ? get_attr(obj, key.s) : Value::undefined();
            std::u32string cps = utf8_decode(obj.s);
            int64_t i = normalize_index(key.as_int(), cps.size());
            if (i < 0 || i >= static_cast<int64_t>(cps.size()))
                return Value::undefined("'str object' has no element " + to_repr(key));
            return Value::string(utf8_encode(cps.substr(static_cast<size_t>(i), 1)));
        }
        default:
            return Value::undefined("'" + type_name(obj) + " object' has no attribute " + to_repr(key));
    }
}

// Python slice semantics: clamped bounds, negative indices and steps.
Value slice(const Value& obj, const Value& start, const Value& stop, const Value& step) {
    if (obj.is_undefined()) runtime_error(obj.s.empty() ? "undefined value cannot be sliced" : obj.s);
    for (const Value* v : {&start, &stop, &step})
        if (!v->is_none() && !v->is_int()) runtime_error("slice indices must be integers or None");
    std::u32string cps;
    size_t n;
    if (obj.kind == Kind::String) {
        cps = utf8_decode(obj.s);
        n = cps.size();
    } else if (obj.is_list_like()) {
        n = obj.list->size();
    } else {
        runtime_error("'" + type_name(obj) + "' object is not subscriptable");
    }
    int64_t st = step.is_none() ? 1 : step.as_int();
    if (st == 0) runtime_error("slice step cannot be zero");
    int64_t len = static_cast<int64_t>(n);
    auto clamp = [&](const Value& v, int64_t def) {
        if (v.is_none()) return def;
        int64_t i = v.as_int();
        if (i < 0) i += len;
        if (st > 0) return std::clamp<int64_t>(i, 0, len);
        return std::clamp<int64_t>(i, -1, len - 1);
    };
    int64_t b = clamp(start, st > 0 ? 0 : len - 1);
    int64_t e = clamp(stop, st > 0 ? len : -1);
    std::vector<size_t> idx;
    if (st > 0)
        for (int64_t k = b; k < e; k += st) idx.push_back(static_cast<size_t>(k));
    else
        for (int64_t k = b; k > e; k += st) idx.push_back(static_cast<size_t>(k));
    if (obj.kind == Kind::String) {
        std::u32string out;
        for (size_t k : idx) out.push_back(cps[k]);
        return Value::string(utf8_encode(out));
    }
    ValueList out;
    for (size_t k : idx) out.push_back((*obj.list)[k]);
    return obj.kind == Kind::Tuple ? Value::new_tuple(std::move(out)) : Value::new_list(std::move(out));
}

}  // namespace hy::jinja
