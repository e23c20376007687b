// Jinja2's built-in filters (jinja2/filters.py, 3.1) with Hugging Face's tojson. Defaults and
// corner cases follow Python: sort/unique/dictsort are case-insensitive unless told otherwise,
// round() rounds half to even, `int` falls back through float, `indent` skips blank lines.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

#include "chat/jinja/builtins.h"
#include "chat/jinja/evaluator.h"

namespace hy::jinja {
namespace {

using FilterFn = Value (*)(Evaluator&, const Value&, CallArgs&);

const Value* opt(const CallArgs& a, size_t i, const char* name) {
    const Value* v = a.get(i, name);
    return v && !v->is_undefined() ? v : nullptr;
}
bool opt_bool(const CallArgs& a, size_t i, const char* name, bool def) {
    const Value* v = opt(a, i, name);
    return v ? truthy(*v) : def;
}
int64_t opt_int(const CallArgs& a, size_t i, const char* name, int64_t def) {
    const Value* v = opt(a, i, name);
    if (!v) return def;
    if (!v->is_int()) runtime_error(std::string("'") + name + "' must be an integer");
    return v->as_int();
}

// attribute="a.b.0": item lookups along a dotted path, digits as list indices.
Value lookup_path(const Value& obj, const std::string& path) {
    Value cur = obj;
    size_t start = 0;
    while (true) {
        size_t dot = path.find('.', start);
        std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        bool digits =
            !part.empty() && part.find_first_not_of("0123456789") == std::string::npos && part.size() < 18;
        cur = get_item(cur, digits ? Value::integer(std::stoll(part)) : Value::string(part));
        if (dot == std::string::npos) return cur;
        start = dot + 1;
    }
}

// Sort key for case-insensitive comparisons: strings lower-cased, everything else unchanged.
Value fold(const Value& v, bool case_sensitive) {
    return !case_sensitive && v.kind == Kind::String ? Value::string(py_lower(v.s)) : v;
}

std::vector<std::string> attribute_list(const Value* attr) {
    std::vector<std::string> out;
    if (!attr || attr->is_none()) return out;
    if (attr->is_int()) return {std::to_string(attr->as_int())};
    std::string s = to_str(*attr);
    size_t start = 0;
    while (true) {
        size_t comma = s.find(',', start);
        out.push_back(
            py_strip(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start), nullptr,
                     true, true));
        if (comma == std::string::npos) return out;
        start = comma + 1;
    }
}

Value key_of(const Value& item, const std::vector<std::string>& attrs, bool case_sensitive) {
    if (attrs.empty()) return fold(item, case_sensitive);
    if (attrs.size() == 1) return fold(lookup_path(item, attrs[0]), case_sensitive);
    ValueList parts;
    for (const auto& a : attrs) parts.push_back(fold(lookup_path(item, a), case_sensitive));
    return Value::new_list(std::move(parts));
}

Value f_abs(Evaluator&, const Value& v, CallArgs&) {
    if (v.kind == Kind::Float) return Value::number(std::fabs(v.f));
    if (v.is_int()) {
        if (v.as_int() == INT64_MIN) runtime_error("integer overflow");
        return Value::integer(std::llabs(v.as_int()));
    }
    runtime_error("bad operand type for abs(): '" + type_name(v) + "'");
}

Value f_batch(Evaluator&, const Value& v, CallArgs& a) {
    int64_t n = opt_int(a, 0, "linecount", 1);
    if (n <= 0) runtime_error("batch size must be positive");
    const Value* fill = opt(a, 1, "fill_with");
    ValueList out, cur;
    for (auto& item : iterate(v)) {
        cur.push_back(item);
        if (static_cast<int64_t>(cur.size()) == n) {
            out.push_back(Value::new_list(std::move(cur)));
            cur.clear();
        }
    }
    if (!cur.empty()) {
        if (fill && !fill->is_none())
            while (static_cast<int64_t>(cur.size()) < n) cur.push_back(*fill);
        out.push_back(Value::new_list(std::move(cur)));
    }
    return Value::new_list(std::move(out));
}

Value f_capitalize(Evaluator&, const Value& v, CallArgs&) {
    return Value::string(py_capitalize(to_str(v)));
}

Value f_center(Evaluator& ev, const Value& v, CallArgs& a) {
    std::string s = to_str(v);
    int64_t width = std::min<int64_t>(opt_int(a, 0, "width", 80), 1 << 24);
    int64_t len = static_cast<int64_t>(utf8_length(s));
    if (width <= len) return Value::string(s);
    int64_t marg = width - len, left = marg / 2 + (marg & width & 1);
    ev.check_size(static_cast<size_t>(width));
    return Value::string(std::string(left, ' ') + s + std::string(marg - left, ' '));
}

Value f_default(Evaluator&, const Value& v, CallArgs& a) {
    const Value* def = a.get(0, "default_value");
    bool boolean = opt_bool(a, 1, "boolean", false);
    if (v.is_undefined() || (boolean && !truthy(v))) return def ? *def : Value::string("");
    return v;
}

Value f_dictsort(Evaluator&, const Value& v, CallArgs& a) {
    if (v.kind != Kind::Dict) runtime_error("dictsort filter requires a mapping");
    bool cs = opt_bool(a, 0, "case_sensitive", false);
    const Value* by = opt(a, 1, "by");
    bool by_value = by && to_str(*by) == "value";
    if (by && !by_value && to_str(*by) != "key")
        runtime_error("You can only sort by either \"key\" or \"value\"");
    bool rev = opt_bool(a, 2, "reverse", false);
    auto items = v.dict->items;
    std::stable_sort(items.begin(), items.end(), [&](const auto& x, const auto& y) {
        int c = compare(fold(by_value ? x.second : x.first, cs), fold(by_value ? y.second : y.first, cs));
        return rev ? c > 0 : c < 0;
    });
    ValueList out;
    for (auto& [k, x] : items) out.push_back(Value::new_tuple({k, x}));
    return Value::new_list(std::move(out));
}

Value f_escape(Evaluator&, const Value& v, CallArgs&) {
    return Value::string(html_escape(to_str(v)));
}

Value f_first(Evaluator&, const Value& v, CallArgs&) {
    ValueList items = iterate(v);
    return items.empty() ? Value::undefined("No first item, sequence was empty.") : items.front();
}

Value f_last(Evaluator&, const Value& v, CallArgs&) {
    ValueList items = iterate(v);
    return items.empty() ? Value::undefined("No last item, sequence was empty.") : items.back();
}

bool parse_float(const std::string& text, double& out) {
    std::string raw = py_strip(text, nullptr, true, true), s;
    for (size_t k = 0; k < raw.size(); ++k) {  // Python accepts '_' between two digits
        bool between = k > 0 && k + 1 < raw.size() && std::isdigit(static_cast<unsigned char>(raw[k - 1])) &&
                       std::isdigit(static_cast<unsigned char>(raw[k + 1]));
        if (raw[k] == '_' && !between) return false;
        if (raw[k] != '_') s += raw[k];
    }
    if (s.empty()) return false;
    std::string lower = py_lower(s);
    const char* p = lower.c_str();
    if (*p == '+' || *p == '-') ++p;
    if (std::string(p) == "inf" || std::string(p) == "infinity" || std::string(p) == "nan") {
        out = std::strtod(lower.c_str(), nullptr);
        return true;
    }
    if (lower.find_first_not_of("0123456789.e+-") != std::string::npos) return false;
    char* end = nullptr;
    out = std::strtod(s.c_str(), &end);
    return end && *end == '\0';
}

Value f_float(Evaluator&, const Value& v, CallArgs& a) {
    const Value* def = a.get(0, "default");
    Value fallback = def ? *def : Value::number(0.0);
    if (v.is_number()) return Value::number(v.as_double());
    double d;
    if (v.kind == Kind::String && parse_float(v.s, d)) return Value::number(d);
    return fallback;
}

Value f_int(Evaluator&, const Value& v, CallArgs& a) {
    const Value* def = a.get(0, "default");
    Value fallback = def ? *def : Value::integer(0);
    int64_t base = opt_int(a, 1, "base", 10);
    if (v.is_int()) return Value::integer(v.as_int());
    if (v.kind == Kind::Float) {
        if (std::isnan(v.f) || std::isinf(v.f) || std::fabs(v.f) >= 9.2e18) return fallback;
        return Value::integer(static_cast<int64_t>(std::trunc(v.f)));
    }
    if (v.kind != Kind::String) return fallback;
    std::string s = py_strip(v.s, nullptr, true, true);
    std::string digits;
    for (char c : s)
        if (c != '_') digits += c;
    if (base >= 2 && base <= 36 && !digits.empty()) {
        const char* p = digits.c_str();
        int b = static_cast<int>(base);
        char* end = nullptr;
        errno = 0;
        long long r = std::strtoll(p, &end, b);
        if (end && *end == '\0' && errno == 0 && digits.find(' ') == std::string::npos)
            return Value::integer(r);
    }
    double d;
    if (parse_float(v.s, d) && !std::isnan(d) && !std::isinf(d) && std::fabs(d) < 9.2e18)
        return Value::integer(static_cast<int64_t>(std::trunc(d)));
    return fallback;
}

// Python's str.splitlines() line breaks, as `indent` splits on them.
std::vector<std::string> split_lines(const std::string& s) {
    std::vector<std::string> lines;
    std::u32string cps = utf8_decode(s);
    size_t start = 0;
    for (size_t k = 0; k < cps.size(); ++k) {
        char32_t c = cps[k];
        bool br = c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x1C || c == 0x1D || c == 0x1E ||
                  c == 0x85 || c == 0x2028 || c == 0x2029;
        if (!br) continue;
        lines.push_back(utf8_encode(cps.substr(start, k - start)));
        if (c == '\r' && k + 1 < cps.size() && cps[k + 1] == '\n') ++k;
        start = k + 1;
    }
    if (start < cps.size()) lines.push_back(utf8_encode(cps.substr(start)));
    return lines;
}

Value f_indent(Evaluator& ev, const Value& v, CallArgs& a) {
    const Value* w = opt(a, 0, "width");
    std::string ind =
        w && w->kind == Kind::String
            ? w->s
            : std::string(static_cast<size_t>(std::clamp<int64_t>(w ? w->as_int() : 4, 0, 1 << 16)), ' ');
    bool first = opt_bool(a, 1, "first", false);
    bool blank = opt_bool(a, 2, "blank", false);
    std::string s = to_str(v) + "\n";
    std::vector<std::string> lines = split_lines(s);
    std::string rv;
    if (blank) {
        for (size_t k = 0; k < lines.size(); ++k) rv += (k ? "\n" + ind : "") + lines[k];
    } else if (!lines.empty()) {
        rv = lines[0];
        for (size_t k = 1; k < lines.size(); ++k) {
            rv += "\n";
            if (!lines[k].empty()) rv += ind;
            rv += lines[k];
            ev.check_size(rv.size());
        }
    }
    if (first) rv = ind + rv;
    return Value::string(std::move(rv));
}

Value f_items(Evaluator&, const Value& v, CallArgs&) {
    if (v.is_undefined()) return Value::new_list();
    if (v.kind != Kind::Dict) runtime_error("Can only get item pairs from a mapping.");
    ValueList out;
    for (const auto& [k, x] : v.dict->items) out.push_back(Value::new_tuple({k, x}));
    return Value::new_list(std::move(out));
}

Value f_join(Evaluator& ev, const Value& v, CallArgs& a) {
    const Value* d = opt(a, 0, "d");
    std::string sep = d ? to_str(*d) : "";
    std::vector<std::string> attrs = attribute_list(opt(a, 1, "attribute"));
    std::string out;
    bool first = true;
    for (const auto& item : iterate(v)) {
        if (!first) out += sep;
        first = false;
        out += to_str(attrs.empty() ? item : lookup_path(item, attrs[0]));
        ev.check_size(out.size());
    }
    return Value::string(std::move(out));
}

Value f_length(Evaluator&, const Value& v, CallArgs&) {
    return Value::integer(static_cast<int64_t>(length(v)));
}
Value f_list(Evaluator&, const Value& v, CallArgs&) {
    return Value::new_list(iterate(v));
}
Value f_lower(Evaluator&, const Value& v, CallArgs&) {
    return Value::string(py_lower(to_str(v)));
}
Value f_upper(Evaluator&, const Value& v, CallArgs&) {
    return Value::string(py_upper(to_str(v)));
}

Value f_map(Evaluator& ev, const Value& v, CallArgs& a) {
    ValueList out;
    const Value* attr = nullptr;
    for (const auto& [k, x] : a.kw)
        if (k == "attribute") attr = &x;
    if (attr) {
        const Value* def = nullptr;
        for (const auto& [k, x] : a.kw)
            if (k == "default") def = &x;
        for (const auto& item : iterate(v)) {
            Value r = lookup_path(item, to_str(*attr));
            out.push_back(r.is_undefined() && def ? *def : r);
        }
        return Value::new_list(std::move(out));
    }
    if (a.pos.empty()) runtime_error("map requires a filter argument");
    std::string name = to_str(a.pos[0]);
    CallArgs rest;
    rest.pos.assign(a.pos.begin() + 1, a.pos.end());
    rest.kw = a.kw;
    for (const auto& item : iterate(v)) {
        CallArgs copy = rest;
        out.push_back(apply_filter(ev, name, item, copy));
    }
    return Value::new_list(std::move(out));
}

Value min_max(const Value& v, CallArgs& a, bool want_max) {
    bool cs = opt_bool(a, 0, "case_sensitive", false);
    std::vector<std::string> attrs = attribute_list(opt(a, 1, "attribute"));
    ValueList items = iterate(v);
    if (items.empty()) return Value::undefined(std::string("No aggregated item, sequence was empty."));
    size_t best = 0;
    for (size_t k = 1; k < items.size(); ++k) {
        int c = compare(key_of(items[k], attrs, cs), key_of(items[best], attrs, cs));
        if (want_max ? c > 0 : c < 0) best = k;
    }
    return items[best];
}
Value f_max(Evaluator&, const Value& v, CallArgs& a) {
    return min_max(v, a, true);
}
Value f_min(Evaluator&, const Value& v, CallArgs& a) {
    return min_max(v, a, false);
}

Value f_replace(Evaluator& ev, const Value& v, CallArgs& a) {
    const Value* old = a.get(0, "old");
    const Value* rep = a.get(1, "new");
    if (!old || !rep) runtime_error("replace filter needs old and new");
    const Value* count = opt(a, 2, "count");
    std::string out =
        py_replace(to_str(v), to_str(*old), to_str(*rep), count && count->is_int() ? count->as_int() : -1);
    ev.check_size(out.size());
    return Value::string(std::move(out));
}

Value f_reverse(Evaluator&, const Value& v, CallArgs&) {
    if (v.kind == Kind::String) {
        std::u32string cps = utf8_decode(v.s);
        std::reverse(cps.begin(), cps.end());
        return Value::string(utf8_encode(cps));
    }
    ValueList items = iterate(v);
    std::reverse(items.begin(), items.end());
    return Value::new_list(std::move(items));
}

// Python round(x, n): correctly rounded, ties to even on the exact binary value (printf does that).
double py_round(double x, int64_t n) {
    if (std::isnan(x) || std::isinf(x)) return x;
    if (n >= 0) {
        char buf[512];
        std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(std::min<int64_t>(n, 300)), x);
        return std::strtod(buf, nullptr);
    }
    double p = std::pow(10.0, static_cast<double>(-n));
    return std::nearbyint(x / p) * p;
}

Value f_round(Evaluator&, const Value& v, CallArgs& a) {
    int64_t prec = opt_int(a, 0, "precision", 0);
    const Value* m = opt(a, 1, "method");
    std::string method = m ? to_str(*m) : "common";
    if (method != "common" && method != "ceil" && method != "floor")
        runtime_error("method must be common, ceil or floor");
    if (!v.is_number()) runtime_error("type " + type_name(v) + " doesn't define __round__ method");
    if (method == "common") {
        if (v.is_int() && prec >= 0) return Value::integer(v.as_int());
        return Value::number(py_round(v.as_double(), prec));
    }
    double p = std::pow(10.0, static_cast<double>(prec));
    double x = v.as_double() * p;
    return Value::number((method == "ceil" ? std::ceil(x) : std::floor(x)) / p);
}

Value f_safe(Evaluator&, const Value& v, CallArgs&) {
    return Value::string(to_str(v));
}
Value f_string(Evaluator&, const Value& v, CallArgs&) {
    return Value::string(to_str(v));
}

bool passes(Evaluator& ev, const Value& item, CallArgs& a, size_t test_at) {
    if (a.pos.size() <= test_at) return truthy(item);
    CallArgs rest;
    rest.pos.assign(a.pos.begin() + static_cast<long>(test_at) + 1, a.pos.end());
    rest.kw = a.kw;
    return apply_test(ev, to_str(a.pos[test_at]), item, rest);
}

Value select_impl(Evaluator& ev, const Value& v, CallArgs& a, bool want, bool by_attr) {
    ValueList out;
    if (by_attr && a.pos.empty()) runtime_error("selectattr/rejectattr need an attribute name");
    for (const auto& item : iterate(v)) {
        Value subject = by_attr ? lookup_path(item, to_str(a.pos[0])) : item;
        if (passes(ev, subject, a, by_attr ? 1 : 0) == want) out.push_back(item);
    }
    return Value::new_list(std::move(out));
}
Value f_select(Evaluator& ev, const Value& v, CallArgs& a) {
    return select_impl(ev, v, a, true, false);
}
Value f_reject(Evaluator& ev, const Value& v, CallArgs& a) {
    return select_impl(ev, v, a, false, false);
}
Value f_selectattr(Evaluator& ev, const Value& v, CallArgs& a) {
    return select_impl(ev, v, a, true, true);
}
Value f_rejectattr(Evaluator& ev, const Value& v, CallArgs& a) {
    return select_impl(ev, v, a, false, true);
}

Value f_sort(Evaluator&, const Value& v, CallArgs& a) {
    bool rev = opt_bool(a, 0, "reverse", false);
    bool cs = opt_bool(a, 1, "case_sensitive", false);
    std::vector<std::string> attrs = attribute_list(opt(a, 2, "attribute"));
    ValueList items = iterate(v);
    std::vector<std::pair<Value, Value>> keyed;
    for (auto& item : items) keyed.emplace_back(key_of(item, attrs, cs), item);
    std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& x, const auto& y) {
        int c = compare(x.first, y.first);
        return rev ? c > 0 : c < 0;
    });
    ValueList out;
    for (auto& kv : keyed) out.push_back(kv.second);
    return Value::new_list(std::move(out));
}

Value f_sum(Evaluator& ev, const Value& v, CallArgs& a) {
    std::vector<std::string> attrs = attribute_list(opt(a, 0, "attribute"));
    const Value* start = opt(a, 1, "start");
    Value acc = start ? *start : Value::integer(0);
    for (const auto& item : iterate(v))
        acc = binary_op(ev, "+", acc, attrs.empty() ? item : lookup_path(item, attrs[0]));
    return acc;
}

// Jinja's title filter: capitalise each word after "-", whitespace or an opening bracket.
Value f_title(Evaluator&, const Value& v, CallArgs&) {
    std::u32string cps = utf8_decode(to_str(v));
    std::u32string out;
    bool at_start = true;
    for (char32_t c : cps) {
        bool sep = c == '-' || c == '(' || c == '{' || c == '[' || c == '<' || c == ' ' ||
                   (c >= 9 && c <= 13) || c == 0x1C || c == 0x1D || c == 0x1E || c == 0x1F || c == 0x85 ||
                   c == 0xA0 || c == 0x3000;
        if (sep) {
            out.push_back(c);
            at_start = true;
            continue;
        }
        std::string one = utf8_encode(std::u32string(1, c));
        out += utf8_decode(at_start ? py_upper(one) : py_lower(one));
        at_start = false;
    }
    return Value::string(utf8_encode(out));
}

Value f_tojson(Evaluator& ev, const Value& v, CallArgs& a) {
    std::string s = dump_json(v, a);
    ev.check_size(s.size());
    return Value::string(std::move(s));
}

Value f_trim(Evaluator&, const Value& v, CallArgs& a) {
    return Value::string(py_strip(to_str(v), opt(a, 0, "chars"), true, true));
}

Value f_truncate(Evaluator&, const Value& v, CallArgs& a) {
    std::u32string s = utf8_decode(to_str(v));
    int64_t len = opt_int(a, 0, "length", 255);
    bool killwords = opt_bool(a, 1, "killwords", false);
    const Value* e = opt(a, 2, "end");
    std::u32string end = utf8_decode(e ? to_str(*e) : "...");
    int64_t leeway = opt_int(a, 3, "leeway", 5);
    if (static_cast<int64_t>(s.size()) <= len + leeway) return Value::string(utf8_encode(s));
    int64_t cut = std::max<int64_t>(0, len - static_cast<int64_t>(end.size()));
    std::u32string head = s.substr(0, static_cast<size_t>(std::min<int64_t>(cut, s.size())));
    if (!killwords) {
        size_t sp = head.rfind(U' ');
        if (sp != std::u32string::npos) head = head.substr(0, sp);
    }
    return Value::string(utf8_encode(head + end));
}

Value f_unique(Evaluator&, const Value& v, CallArgs& a) {
    bool cs = opt_bool(a, 0, "case_sensitive", false);
    std::vector<std::string> attrs = attribute_list(opt(a, 1, "attribute"));
    ValueList out, seen;
    for (const auto& item : iterate(v)) {
        Value key = key_of(item, attrs, cs);
        bool dup = std::any_of(seen.begin(), seen.end(), [&](const Value& s) { return equals(s, key); });
        if (dup) continue;
        seen.push_back(key);
        out.push_back(item);
    }
    return Value::new_list(std::move(out));
}

Value f_wordcount(Evaluator&, const Value& v, CallArgs&) {
    std::u32string cps = utf8_decode(to_str(v));
    int64_t n = 0;
    bool in_word = false;
    for (char32_t c : cps) {
        bool w = (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z') || c == '_' ||
                 (c >= 0xAA && py_strip(utf8_encode(std::u32string(1, c)), nullptr, true, true).size() > 0 &&
                  !(c >= 0x2000 && c <= 0x2BFF) && !(c >= 0x3000 && c <= 0x303F) && c < 0x1F000 &&
                  c != 0xAB && c != 0xBB && c != 0xBF && c != 0xA1 && c != 0xB7 && c != 0xD7 && c != 0xF7);
        if (w && !in_word) ++n;
        in_word = w;
    }
    return Value::integer(n);
}

Value f_format(Evaluator&, const Value& v, CallArgs& a) {
    if (!a.kw.empty()) {
        Value d = Value::new_dict();
        for (auto& [k, x] : a.kw) d.dict->set(k, x);
        return Value::string(percent_format(to_str(v), d));
    }
    return Value::string(percent_format(
        to_str(v), a.pos.size() == 1 && a.pos[0].kind != Kind::Tuple ? a.pos[0] : Value::new_tuple(a.pos)));
}

const std::unordered_map<std::string, FilterFn>& registry() {
    static const std::unordered_map<std::string, FilterFn> m = {
        {"abs", f_abs},
        {"batch", f_batch},
        {"capitalize", f_capitalize},
        {"center", f_center},
        {"count", f_length},
        {"d", f_default},
        {"default", f_default},
        {"dictsort", f_dictsort},
        {"e", f_escape},
        {"escape", f_escape},
        {"first", f_first},
        {"float", f_float},
        {"format", f_format},
        {"indent", f_indent},
        {"int", f_int},
        {"items", f_items},
        {"join", f_join},
        {"last", f_last},
        {"length", f_length},
        {"list", f_list},
        {"lower", f_lower},
        {"map", f_map},
        {"max", f_max},
        {"min", f_min},
        {"reject", f_reject},
        {"rejectattr", f_rejectattr},
        {"replace", f_replace},
        {"reverse", f_reverse},
        {"round", f_round},
        {"safe", f_safe},
        {"select", f_select},
        {"selectattr", f_selectattr},
        {"sort", f_sort},
        {"string", f_string},
        {"sum", f_sum},
        {"title", f_title},
        {"tojson", f_tojson},
        {"trim", f_trim},
        {"truncate", f_truncate},
        {"unique", f_unique},
        {"upper", f_upper},
        {"wordcount", f_wordcount},
        {"forceescape", f_escape},
    };
    return m;
}

}  // namespace

bool has_filter(const std::string& name) {
    return registry().count(name) > 0;
}

Value apply_filter(Evaluator& ev, const std::string& name, const Value& input, CallArgs& args) {
    auto it = registry().find(name);
    if (it == registry().end()) runtime_error("no filter named '" + name + "'");
    return it->second(ev, input, args);
}

}  // namespace hy::jinja
