// Python string formatting: `fmt % args` (printf-style) and str.format with the common parts of the
// format-spec mini-language (fill, align, sign, zero padding, width, precision, s/d/f/e/g/x/o/b/%).
#include <cmath>
#include <cstdio>

#include "chat/jinja/builtins.h"

namespace hy::jinja {
namespace {

struct Spec {
    char32_t fill = ' ';
    char align = 0;  // '<', '>', '^', '='
    char sign = '-';
    bool alt = false;
    bool zero = false;
    int width = -1;
    int precision = -1;
    char group = 0;  // ',' or '_' thousands separator
    char type = 0;
};

int read_int(const std::string& s, size_t& p) {
    int v = 0;
    bool any = false;
    while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
        v = std::min(v * 10 + (s[p] - '0'), 1 << 20);
        ++p;
        any = true;
    }
    return any ? v : -1;
}

std::string cfmt(const char* f, int prec, double d) {
    char buf[512];
    if (std::fabs(d) >= 1e100 && (f[1] == 'f' || f[1] == 'F')) {
        // huge fixed-point values: let snprintf size the buffer
        int n = std::snprintf(nullptr, 0, f, prec, d);
        std::string out(static_cast<size_t>(n) + 1, '\0');
        std::snprintf(out.data(), out.size(), f, prec, d);
        out.pop_back();
        return out;
    }
    std::snprintf(buf, sizeof buf, f, prec, d);
    return buf;
}

std::string int_base(int64_t v, int base, bool upper) {
    if (v == 0) return "0";
    uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
    std::string out;
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    while (u) {
        out.insert(out.begin(), digits[u % base]);
        u /= base;
    }
    return out;
}

// Formats one value; `percent` selects %-style conversions (%d accepts floats, %s is str()).
std::string format_one(const Value& v, const Spec& sp, bool percent) {
    std::string body;
    bool numeric = false, negative = false;
    char t = sp.type;
    if (t == 's' || (t == 0 && !v.is_number()) || t == 'r') {
        body = t == 'r' ? to_repr(v) : to_str(v);
        if (sp.precision >= 0) {
            std::u32string cps = utf8_decode(body);
            if (cps.size() > static_cast<size_t>(sp.precision))
                body = utf8_encode(cps.substr(0, sp.precision));
        }
    } else if (t == 'c') {
        if (v.is_int())
            body = utf8_encode(std::u32string(1, static_cast<char32_t>(v.as_int() & 0x1FFFFF)));
        else
            body = to_str(v);
    } else {
        if (!v.is_number())
            runtime_error(std::string("%") + (t ? t : 'd') + " format: a real number is required, not " +
                          type_name(v));
        numeric = true;
        if (t == 'd' || t == 'i' || t == 'x' || t == 'X' || t == 'o' || t == 'b' || (t == 0 && v.is_int())) {
            if (v.kind == Kind::Float && !percent && t != 0)
                runtime_error(std::string("unknown format code '") + t + "' for object of type 'float'");
            double d = v.as_double();
            if (v.kind == Kind::Float && (std::isnan(d) || std::isinf(d)))
                runtime_error("cannot convert float to integer");
            int64_t iv = v.kind == Kind::Float ? static_cast<int64_t>(std::trunc(d)) : v.as_int();
            negative = iv < 0;
            int base = (t == 'x' || t == 'X') ? 16 : t == 'o' ? 8 : t == 'b' ? 2 : 10;
            body = int_base(iv, base, t == 'X');
            if (sp.alt && base != 10) body = std::string("0") + (t == 'o' ? 'o' : t == 'b' ? 'b' : t) + body;
        } else {
            double d = v.as_double();
            negative = std::signbit(d) && !std::isnan(d);
            double a = std::fabs(d);
            int prec = sp.precision < 0 ? 6 : sp.precision;
            if (t == 0) {
                body = float_repr(a);
                if (sp.precision >= 0) body = cfmt("%.*g", prec, a);
            } else if (t == '%') {
                body = cfmt("%.*f", prec, a * 100) + "%";
            } else if (t == 'f' || t == 'F' || t == 'e' || t == 'E' || t == 'g' || t == 'G') {
                char f[5] = {'%', '.', '*', t, 0};
                if (sp.alt) {
                    f[0] = '%';
                }
                body = cfmt(f, t == 'g' || t == 'G' ? (prec == 0 ? 1 : prec) : prec, a);
                if (t == 'f' || t == 'e' || t == 'g') {
                    if (std::isinf(a)) body = "inf";
                    if (std::isnan(a)) body = "nan";
                }
            } else {
                runtime_error(std::string("unsupported format character '") + t + "'");
            }
        }
    }
    if (numeric && sp.group) {  // group the integer digits in threes
        size_t end = body.find_first_not_of("0123456789");
        if (end == std::string::npos) end = body.size();
        for (size_t k = end; k > 3; k -= 3) body.insert(k - 3, 1, sp.group);
    }
    std::string sign;
    if (numeric) {
        if (negative)
            sign = "-";
        else if (sp.sign == '+')
            sign = "+";
        else if (sp.sign == ' ')
            sign = " ";
    }
    size_t len = utf8_length(sign) + utf8_length(body);
    if (sp.width < 0 || len >= static_cast<size_t>(sp.width)) return sign + body;
    size_t pad = static_cast<size_t>(sp.width) - len;
    char align = sp.align ? sp.align : (sp.zero && numeric) ? '=' : numeric ? '>' : '<';
    std::u32string fill_cp(1, (sp.zero && !sp.align && numeric) ? U'0' : sp.fill);
    std::string fill = utf8_encode(fill_cp);
    auto rep = [&](size_t n) {
        std::string s;
        for (size_t k = 0; k < n; ++k) s += fill;
        return s;
    };
    switch (align) {
        case '<':
            return sign + body + rep(pad);
        case '^':
            return rep(pad / 2) + sign + body + rep(pad - pad / 2);
        case '=':
            return sign + rep(pad) + body;
        default:
            return rep(pad) + sign + body;
    }
}

Spec parse_format_spec(const std::string& s) {
    Spec sp;
    size_t p = 0;
    std::u32string cps = utf8_decode(s);
    auto is_align = [](char32_t c) { return c == '<' || c == '>' || c == '^' || c == '='; };
    if (cps.size() >= 2 && is_align(cps[1])) {
        sp.fill = cps[0];
        sp.align = static_cast<char>(cps[1]);
        p = utf8_encode(cps.substr(0, 2)).size();
    } else if (!cps.empty() && is_align(cps[0])) {
        sp.align = static_cast<char>(cps[0]);
        p = 1;
    }
    if (p < s.size() && (s[p] == '+' || s[p] == '-' || s[p] == ' ')) sp.sign = s[p++];
    if (p < s.size() && s[p] == '#') {
        sp.alt = true;
        ++p;
    }
    if (p < s.size() && s[p] == '0') {
        sp.zero = true;
        ++p;
    }
    sp.width = read_int(s, p);
    if (p < s.size() && (s[p] == ',' || s[p] == '_')) sp.group = s[p++];
    if (p < s.size() && s[p] == '.') {
        ++p;
        sp.precision = read_int(s, p);
        if (sp.precision < 0) runtime_error("format specifier missing precision");
    }
    if (p < s.size()) sp.type = s[p++];
    if (p != s.size()) runtime_error("invalid format specifier '" + s + "'");
    return sp;
}

}  // namespace

std::string percent_format(const std::string& fmt, const Value& args) {
    ValueList list;
    const Value* mapping = nullptr;
    if (args.kind == Kind::Tuple)
        list = *args.list;
    else {
        list.push_back(args);
        if (args.kind == Kind::Dict) mapping = &args;
    }
    size_t next = 0;
    bool used_mapping = false;
    std::string out;
    for (size_t p = 0; p < fmt.size(); ++p) {
        if (fmt[p] != '%') {
            out += fmt[p];
            continue;
        }
        if (++p >= fmt.size()) runtime_error("incomplete format");
        const Value* arg = nullptr;
        Value keyed;
        if (fmt[p] == '(') {
            size_t close = fmt.find(')', p);
            if (close == std::string::npos) runtime_error("incomplete format key");
            if (!mapping) runtime_error("format requires a mapping");
            const Value* v = mapping->dict->find(std::string_view(fmt).substr(p + 1, close - p - 1));
            if (!v) runtime_error("KeyError: '" + fmt.substr(p + 1, close - p - 1) + "'");
            keyed = *v;
            arg = &keyed;
            used_mapping = true;
            p = close + 1;
        }
        Spec sp;
        for (; p < fmt.size(); ++p) {
            char c = fmt[p];
            if (c == '-')
                sp.align = '<';
            else if (c == '0')
                sp.zero = true;
            else if (c == '+')
                sp.sign = '+';
            else if (c == ' ') {
                if (sp.sign != '+') sp.sign = ' ';
            } else if (c == '#')
                sp.alt = true;
            else
                break;
        }
        sp.width = read_int(fmt, p);
        if (p < fmt.size() && fmt[p] == '.') {
            ++p;
            sp.precision = std::max(0, read_int(fmt, p));
        }
        if (p >= fmt.size()) runtime_error("incomplete format");
        char type = fmt[p];
        if (type == '%') {
            out += '%';
            continue;
        }
        if (std::string("sdifFeEgGxXorc").find(type) == std::string::npos)
            runtime_error(std::string("unsupported format character '") + type + "'");
        if (sp.align == '<')
            sp.zero = false;
        else if (!sp.zero)
            sp.align = '>';  // printf pads on the left for every type
        sp.type = type == 'i' ? 'd' : type;
        if (!arg) {
            if (next >= list.size()) runtime_error("not enough arguments for format string");
            arg = &list[next++];
        }
        if (sp.type == 'd' && arg->kind == Kind::String)
            runtime_error("%d format: a real number is required, not str");
        out += format_one(*arg, sp, true);
    }
    if (!used_mapping && !mapping && next < list.size())
        runtime_error("not all arguments converted during string formatting");
    return out;
}

std::string str_format(const std::string& fmt, const CallArgs& args) {
    std::string out;
    size_t auto_index = 0;
    for (size_t p = 0; p < fmt.size(); ++p) {
        char c = fmt[p];
        if (c == '}') {
            if (p + 1 < fmt.size() && fmt[p + 1] == '}') {
                out += '}';
                ++p;
                continue;
            }
            runtime_error("single '}' encountered in format string");
        }
        if (c != '{') {
            out += c;
            continue;
        }
        if (p + 1 < fmt.size() && fmt[p + 1] == '{') {
            out += '{';
            ++p;
            continue;
        }
        size_t close = fmt.find('}', p);
        if (close == std::string::npos) runtime_error("single '{' encountered in format string");
        std::string field = fmt.substr(p + 1, close - p - 1);
        p = close;
        std::string spec, conv;
        size_t colon = field.find(':');
        if (colon != std::string::npos) {
            spec = field.substr(colon + 1);
            field.resize(colon);
        }
        size_t bang = field.find('!');
        if (bang != std::string::npos) {
            conv = field.substr(bang + 1);
            field.resize(bang);
        }
        const Value* v = nullptr;
        if (field.empty()) {
            if (auto_index >= args.pos.size())
                runtime_error("replacement index " + std::to_string(auto_index) + " out of range");
            v = &args.pos[auto_index++];
        } else if (field.find_first_not_of("0123456789") == std::string::npos) {
            size_t idx = std::stoul(field.substr(0, 9));
            if (idx >= args.pos.size()) runtime_error("replacement index " + field + " out of range");
            v = &args.pos[idx];
        } else {
            for (const auto& [k, val] : args.kw)
                if (k == field) v = &val;
            if (!v) runtime_error("KeyError: '" + field + "'");
        }
        Value shown = *v;
        if (conv == "r")
            shown = Value::string(to_repr(*v));
        else if (conv == "s")
            shown = Value::string(to_str(*v));
        else if (!conv.empty())
            runtime_error("unknown conversion specifier " + conv);
        out += format_one(shown, parse_format_spec(spec), false);
    }
    return out;
}

}  // namespace hy::jinja
