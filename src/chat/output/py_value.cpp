// Python-compatible literal parsing and json.dumps (spec/api.md 8.4); see py_value.h.
#include "chat/output/py_value.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "chat/py_float.h"
#include "core/utf8.h"

namespace hy::chat {

PyValue PyValue::none() {
    return PyValue{};
}
PyValue PyValue::of_bool(bool b) {
    PyValue v;
    v.kind = Kind::BOOL;
    v.boolean = b;
    return v;
}
PyValue PyValue::of_int(std::string digits) {
    PyValue v = of_str(std::move(digits));
    v.kind = Kind::INT;
    return v;
}
PyValue PyValue::of_float(double d) {
    PyValue v;
    v.kind = Kind::FLOAT;
    v.number = d;
    return v;
}
PyValue PyValue::of_str(std::string s) {
    PyValue v;
    v.kind = Kind::STR;
    v.text = std::move(s);
    return v;
}

namespace {

constexpr std::size_t kMaxDepth = 200;  // deeper nesting is refused rather than risking the stack

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view strip(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// Unbounded non-negative integer in base 1e9 limbs (least significant first), enough for
// hex/octal/binary literals and integral doubles.
struct BigDec {
    std::vector<std::uint32_t> limbs{0};
    void mul_add(std::uint32_t mul, std::uint32_t add) {
        std::uint64_t carry = add;
        for (auto& l : limbs) {
            std::uint64_t cur = std::uint64_t(l) * mul + carry;
            l = std::uint32_t(cur % 1000000000u);
            carry = cur / 1000000000u;
        }
        while (carry) {
            limbs.push_back(std::uint32_t(carry % 1000000000u));
            carry /= 1000000000u;
        }
    }
    std::string str() const {
        std::string out = std::to_string(limbs.back());
        char buf[16];
        for (std::size_t i = limbs.size() - 1; i-- > 0;) {
            std::snprintf(buf, sizeof buf, "%09u", limbs[i]);
            out += buf;
        }
        return out;
    }
};

// Digits with optional single '_' between digits (Python's grouping rule); returns the digits or
// nullopt. `digit` tells which characters are digits of the base.
template <typename IsDigit>
std::optional<std::string> grouped_digits(std::string_view s, IsDigit digit) {
    std::string out;
    bool prev_digit = false;
    for (char c : s) {
        if (digit(c)) {
            out += c;
            prev_digit = true;
        } else if (c == '_' && prev_digit) {
            prev_digit = false;
        } else {
            return std::nullopt;
        }
    }
    if (out.empty() || !prev_digit) return std::nullopt;
    return out;
}

std::string canonical_decimal(std::string digits, bool negative) {
    std::size_t nz = digits.find_first_not_of('0');
    digits = nz == std::string::npos ? "0" : digits.substr(nz);
    if (negative && digits != "0") digits.insert(digits.begin(), '-');
    return digits;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// A decimal float in Python syntax (already without sign and underscores checked by the caller).
std::optional<double> parse_decimal_double(const std::string& s) {
    double d = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec == std::errc::result_out_of_range) {
        d = std::strtod(s.c_str(), nullptr);  // gives HUGE_VAL or 0 as Python does (inf / 0.0)
        return d;
    }
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return d;
}

// Validates `[digits][.digits][e[+-]digits]` with Python's '_' rule and returns it without '_'.
std::optional<std::string> decimal_float_text(std::string_view s) {
    std::size_t e = s.find_first_of("eE");
    std::string_view mant = s.substr(0, e);
    std::string out;
    std::size_t dot = mant.find('.');
    std::string_view ip = mant.substr(0, dot);
    std::string_view fp = dot == std::string_view::npos ? std::string_view{} : mant.substr(dot + 1);
    if (ip.empty() && fp.empty()) return std::nullopt;
    if (!ip.empty()) {
        auto d = grouped_digits(ip, is_digit);
        if (!d) return std::nullopt;
        out += *d;
    } else {
        out += '0';
    }
    if (dot != std::string_view::npos) {
        out += '.';
        if (!fp.empty()) {
            auto d = grouped_digits(fp, is_digit);
            if (!d) return std::nullopt;
            out += *d;
        } else {
            out += '0';
        }
    }
    if (e != std::string_view::npos) {
        std::string_view ex = s.substr(e + 1);
        out += 'e';
        if (!ex.empty() && (ex[0] == '+' || ex[0] == '-')) {
            out += ex[0];
            ex.remove_prefix(1);
        }
        auto d = grouped_digits(ex, is_digit);
        if (!d) return std::nullopt;
        out += *d;
    }
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = char(x - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

// Inserts or overwrites a key the way a Python dict does.
void dict_set(PyValue& dict, std::string key, PyValue value) {
    for (std::size_t i = 0; i < dict.keys.size(); ++i) {
        if (dict.keys[i] == key) {
            dict.items[i] = std::move(value);
            return;
        }
    }
    dict.keys.push_back(std::move(key));
    dict.items.push_back(std::move(value));
}

// ---------------------------------------------------------------------------------------------
// json.loads
class JsonReader {
  public:
    explicit JsonReader(std::string_view s) : s_(s) {}

    std::optional<PyValue> document() {
        skip_ws();
        auto v = value(0);
        if (!v) return std::nullopt;
        skip_ws();
        if (pos_ != s_.size()) return std::nullopt;
        return v;
    }

  private:
    std::string_view s_;
    std::size_t pos_ = 0;

    void skip_ws() {
        while (pos_ < s_.size() &&
               (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
            ++pos_;
    }
    bool eat(std::string_view word) {
        if (s_.substr(pos_, word.size()) != word) return false;
        pos_ += word.size();
        return true;
    }

    std::optional<PyValue> value(std::size_t depth) {
        if (depth > kMaxDepth || pos_ >= s_.size()) return std::nullopt;
        char c = s_[pos_];
        if (c == '{' || c == '[') return container(depth);
        if (c == '"') {
            auto str = string();
            if (!str) return std::nullopt;
            return PyValue::of_str(std::move(*str));
        }
        if (eat("null")) return PyValue::none();
        if (eat("true")) return PyValue::of_bool(true);
        if (eat("false")) return PyValue::of_bool(false);
        if (eat("NaN")) return PyValue::of_float(std::numeric_limits<double>::quiet_NaN());
        if (eat("Infinity")) return PyValue::of_float(std::numeric_limits<double>::infinity());
        if (eat("-Infinity")) return PyValue::of_float(-std::numeric_limits<double>::infinity());
        return number();
    }

    std::optional<PyValue> number() {
        std::size_t start = pos_;
        bool neg = false;
        if (pos_ < s_.size() && s_[pos_] == '-') {
            neg = true;
            ++pos_;
        }
        std::size_t int_start = pos_;
        if (pos_ >= s_.size() || !is_digit(s_[pos_])) return std::nullopt;
        if (s_[pos_] == '0') {
            ++pos_;
        } else {
            while (pos_ < s_.size() && is_digit(s_[pos_])) ++pos_;
        }
        std::string digits(s_.substr(int_start, pos_ - int_start));
        bool is_float = false;
        if (pos_ + 1 < s_.size() && s_[pos_] == '.' && is_digit(s_[pos_ + 1])) {
            is_float = true;
            pos_ += 2;
            while (pos_ < s_.size() && is_digit(s_[pos_])) ++pos_;
        }
        if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
            std::size_t save = pos_++;
            if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
            if (pos_ < s_.size() && is_digit(s_[pos_])) {
                is_float = true;
                while (pos_ < s_.size() && is_digit(s_[pos_])) ++pos_;
            } else {
                pos_ = save;  // Python's regex stops before a bare 'e'; the caller then fails on it
            }
        }
        if (!is_float) return PyValue::of_int(canonical_decimal(digits, neg));
        std::string text(s_.substr(start + (neg ? 1 : 0), pos_ - start - (neg ? 1 : 0)));
        auto d = parse_decimal_double(text);
        if (!d) return std::nullopt;
        return PyValue::of_float(neg ? -*d : *d);
    }

    std::optional<std::uint32_t> hex4() {
        if (pos_ + 4 > s_.size()) return std::nullopt;
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            int h = hex_value(s_[pos_ + i]);
            if (h < 0) return std::nullopt;
            v = v * 16 + std::uint32_t(h);
        }
        pos_ += 4;
        return v;
    }

    std::optional<std::string> string() {
        ++pos_;  // opening quote
        std::string out;
        while (pos_ < s_.size()) {
            char c = s_[pos_++];
            if (c == '"') return out;
            if (static_cast<unsigned char>(c) < 0x20) return std::nullopt;  // strict mode
            if (c != '\\') {
                out += c;
                continue;
            }
            if (pos_ >= s_.size()) return std::nullopt;
            char e = s_[pos_++];
            switch (e) {
                case '"':
                    out += '"';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case '/':
                    out += '/';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    auto cp = hex4();
                    if (!cp) return std::nullopt;
                    if (*cp >= 0xD800 && *cp < 0xDC00 && s_.substr(pos_, 2) == "\\u") {
                        std::size_t save = pos_;
                        pos_ += 2;
                        auto lo = hex4();
                        if (lo && *lo >= 0xDC00 && *lo < 0xE000) {
                            *cp = 0x10000 + ((*cp - 0xD800) << 10) + (*lo - 0xDC00);
                        } else {
                            pos_ = save;
                        }
                    }
                    if (*cp >= 0xD800 && *cp < 0xE000) return std::nullopt;  // lone surrogate: not UTF-8
                    utf8_append(out, *cp);
                    break;
                }
                default:
                    return std::nullopt;
            }
        }
        return std::nullopt;
    }

    // `[…]` or `{…}`; dict items are `"key": value`.
    std::optional<PyValue> container(std::size_t depth) {
        const bool is_dict = s_[pos_++] == '{';
        const char close = is_dict ? '}' : ']';
        PyValue v;
        v.kind = is_dict ? PyValue::Kind::DICT : PyValue::Kind::LIST;
        skip_ws();
        if (pos_ < s_.size() && s_[pos_] == close) {
            ++pos_;
            return v;
        }
        for (;;) {
            skip_ws();
            std::optional<std::string> key;
            if (is_dict) {
                if (pos_ >= s_.size() || s_[pos_] != '"' || !(key = string())) return std::nullopt;
                skip_ws();
                if (pos_ >= s_.size() || s_[pos_] != ':') return std::nullopt;
                ++pos_;
                skip_ws();
            }
            auto item = value(depth + 1);
            if (!item) return std::nullopt;
            if (is_dict) {
                dict_set(v, std::move(*key), std::move(*item));
            } else {
                v.items.push_back(std::move(*item));
            }
            skip_ws();
            if (pos_ >= s_.size()) return std::nullopt;
            char c = s_[pos_++];
            if (c == close) return v;
            if (c != ',') return std::nullopt;
        }
    }
};

// ---------------------------------------------------------------------------------------------
// ast.literal_eval
class LiteralReader {
  public:
    explicit LiteralReader(std::string_view s) : s_(s) {}

    std::optional<PyValue> document() {
        skip_ws();
        auto v = value(0);
        if (!v) return std::nullopt;
        skip_ws();
        if (pos_ < s_.size() && s_[pos_] == ',') {  // a bare tuple `1, 2`
            PyValue list;
            list.kind = PyValue::Kind::LIST;
            list.items.push_back(std::move(*v));
            if (!sequence_tail(list, '\0', 0)) return std::nullopt;
            v = std::move(list);
        }
        skip_ws();
        if (pos_ != s_.size()) return std::nullopt;
        return v;
    }

  private:
    std::string_view s_;
    std::size_t pos_ = 0;

    void skip_ws() {
        while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
    }
    bool ident_char(char c) const {
        return is_digit(c) || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               static_cast<unsigned char>(c) >= 0x80;
    }
    bool keyword(std::string_view word) {
        if (s_.substr(pos_, word.size()) != word) return false;
        if (pos_ + word.size() < s_.size() && ident_char(s_[pos_ + word.size()])) return false;
        pos_ += word.size();
        return true;
    }

    std::optional<PyValue> value(std::size_t depth) {
        if (depth > kMaxDepth || pos_ >= s_.size()) return std::nullopt;
        char c = s_[pos_];
        if (c == '+' || c == '-') {
            ++pos_;
            skip_ws();
            auto v = value(depth + 1);
            if (!v || (v->kind != PyValue::Kind::INT && v->kind != PyValue::Kind::FLOAT)) return std::nullopt;
            if (c == '-') {
                if (v->kind == PyValue::Kind::FLOAT) {
                    v->number = -v->number;
                } else if (v->text[0] == '-') {
                    v->text.erase(0, 1);
                } else if (v->text != "0") {
                    v->text.insert(v->text.begin(), '-');
                }
            }
            return v;
        }
        if (c == '[') return sequence(']', depth);
        if (c == '(') return sequence(')', depth);
        if (c == '{') return dict(depth);
        if (keyword("None")) return PyValue::none();
        if (keyword("True")) return PyValue::of_bool(true);
        if (keyword("False")) return PyValue::of_bool(false);
        if (is_digit(c) || (c == '.' && pos_ + 1 < s_.size() && is_digit(s_[pos_ + 1]))) return number();
        return strings();
    }

    std::optional<PyValue> number() {
        std::size_t start = pos_;
        while (pos_ < s_.size() &&
               (ident_char(s_[pos_]) || s_[pos_] == '.' ||
                ((s_[pos_] == '+' || s_[pos_] == '-') && (s_[pos_ - 1] == 'e' || s_[pos_ - 1] == 'E'))))
            ++pos_;
        std::string_view tok = s_.substr(start, pos_ - start);
        if (tok.size() > 2 && tok[0] == '0' &&
            std::string_view("xXoObB").find(tok[1]) != std::string_view::npos) {
            char b = char(tok[1] | 0x20);
            std::uint32_t base = b == 'x' ? 16 : b == 'o' ? 8 : 2;
            std::string_view body = tok.substr(2);
            if (!body.empty() && body[0] == '_') body.remove_prefix(1);  // 0x_ff is allowed
            auto digits = grouped_digits(body, [base](char ch) {
                int h = hex_value(ch);
                return h >= 0 && std::uint32_t(h) < base;
            });
            if (!digits) return std::nullopt;
            BigDec big;
            for (char ch : *digits) big.mul_add(base, std::uint32_t(hex_value(ch)));
            return PyValue::of_int(big.str());
        }
        bool is_float = tok.find_first_of(".eE") != std::string_view::npos;
        if (!is_float) {
            auto digits = grouped_digits(tok, is_digit);
            if (!digits) return std::nullopt;
            // Python 3 forbids leading zeros in a non-zero decimal literal ("007").
            if ((*digits)[0] == '0' && digits->find_first_not_of('0') != std::string::npos)
                return std::nullopt;
            return PyValue::of_int(canonical_decimal(*digits, false));
        }
        auto text = decimal_float_text(tok);
        if (!text) return std::nullopt;
        auto d = parse_decimal_double(*text);
        if (!d) return std::nullopt;
        return PyValue::of_float(*d);
    }

    // One or more adjacent string literals, concatenated.
    std::optional<PyValue> strings() {
        std::string out;
        bool any = false;
        for (;;) {
            std::size_t save = pos_;
            if (!string_literal(out)) {
                pos_ = save;
                break;
            }
            any = true;
            skip_ws();
        }
        if (!any) return std::nullopt;
        return PyValue::of_str(std::move(out));
    }

    bool string_literal(std::string& out) {
        bool raw = false;
        while (pos_ < s_.size() &&
               (s_[pos_] == 'r' || s_[pos_] == 'R' || s_[pos_] == 'u' || s_[pos_] == 'U')) {
            if (s_[pos_] == 'r' || s_[pos_] == 'R') raw = true;
            ++pos_;
        }
        if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) return false;
        char q = s_[pos_];
        bool triple = s_.substr(pos_, 3) == std::string(3, q);
        pos_ += triple ? 3 : 1;
        while (pos_ < s_.size()) {
            char c = s_[pos_];
            if (c == q && (!triple || s_.substr(pos_, 3) == std::string(3, q))) {
                pos_ += triple ? 3 : 1;
                return true;
            }
            if (c == '\n' && !triple) return false;
            ++pos_;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (pos_ >= s_.size()) return false;
            char e = s_[pos_++];
            if (raw) {
                out += '\\';
                out += e;
                continue;
            }
            if (!escape(e, out)) return false;
        }
        return false;
    }

    bool fixed_hex(std::size_t n, std::uint32_t& cp) {
        if (pos_ + n > s_.size()) return false;
        cp = 0;
        for (std::size_t i = 0; i < n; ++i) {
            int h = hex_value(s_[pos_ + i]);
            if (h < 0) return false;
            cp = cp * 16 + std::uint32_t(h);
        }
        pos_ += n;
        return true;
    }

    bool escape(char e, std::string& out) {
        std::uint32_t cp = 0;
        switch (e) {
            case '\n':
                return true;  // line continuation
            case '\\':
                out += '\\';
                return true;
            case '\'':
                out += '\'';
                return true;
            case '"':
                out += '"';
                return true;
            case 'a':
                out += '\a';
                return true;
            case 'b':
                out += '\b';
                return true;
            case 'f':
                out += '\f';
                return true;
            case 'n':
                out += '\n';
                return true;
            case 'r':
                out += '\r';
                return true;
            case 't':
                out += '\t';
                return true;
            case 'v':
                out += '\v';
                return true;
            case 'x':
                if (!fixed_hex(2, cp)) return false;
                break;
            case 'u':
                if (!fixed_hex(4, cp)) return false;
                break;
            case 'U':
                if (!fixed_hex(8, cp)) return false;
                break;
            case 'N':
                return false;  // named escapes are not supported
            default:
                if (e >= '0' && e <= '7') {
                    cp = std::uint32_t(e - '0');
                    for (int i = 0; i < 2 && pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '7'; ++i)
                        cp = cp * 8 + std::uint32_t(s_[pos_++] - '0');
                    break;
                }
                out += '\\';  // unknown escapes stay as written
                out += e;
                return true;
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) return false;
        utf8_append(out, cp);
        return true;
    }

    // Items after the first up to `close` ('\0' = end of text for a bare tuple).
    bool sequence_tail(PyValue& list, char close, std::size_t depth) {
        for (;;) {
            skip_ws();
            if (pos_ >= s_.size()) return close == '\0';
            if (s_[pos_] == close) {
                ++pos_;
                return true;
            }
            if (s_[pos_] != ',') return false;
            ++pos_;
            skip_ws();
            if (pos_ >= s_.size()) return close == '\0';
            if (s_[pos_] == close) {
                ++pos_;
                return true;
            }
            auto item = value(depth + 1);
            if (!item) return false;
            list.items.push_back(std::move(*item));
        }
    }

    std::optional<PyValue> sequence(char close, std::size_t depth) {
        ++pos_;
        PyValue list;
        list.kind = PyValue::Kind::LIST;
        skip_ws();
        if (pos_ < s_.size() && s_[pos_] == close) {
            ++pos_;
            return list;
        }
        auto first = value(depth + 1);
        if (!first) return std::nullopt;
        skip_ws();
        if (close == ')' && pos_ < s_.size() && s_[pos_] == ')') {  // parenthesised value, not a tuple
            ++pos_;
            return first;
        }
        list.items.push_back(std::move(*first));
        if (!sequence_tail(list, close, depth)) return std::nullopt;
        return list;
    }

    // json.dumps turns str/int/float/bool/None keys into strings; anything else raises.
    static std::optional<std::string> key_text(const PyValue& k) {
        switch (k.kind) {
            case PyValue::Kind::STR:
                return k.text;
            case PyValue::Kind::INT:
                return k.text;
            case PyValue::Kind::FLOAT:
                return py_float_repr(k.number);
            case PyValue::Kind::BOOL:
                return std::string(k.boolean ? "true" : "false");
            case PyValue::Kind::NONE:
                return std::string("null");
            default:
                return std::nullopt;
        }
    }

    std::optional<PyValue> dict(std::size_t depth) {
        ++pos_;
        PyValue v;
        v.kind = PyValue::Kind::DICT;
        for (;;) {
            skip_ws();
            if (pos_ < s_.size() && s_[pos_] == '}') {
                ++pos_;
                return v;
            }
            auto key = value(depth + 1);
            if (!key) return std::nullopt;
            skip_ws();
            if (pos_ >= s_.size() || s_[pos_] != ':') return std::nullopt;  // also rejects sets
            ++pos_;
            skip_ws();
            auto item = value(depth + 1);
            if (!item) return std::nullopt;
            auto k = key_text(*key);
            if (!k) return std::nullopt;
            dict_set(v, std::move(*k), std::move(*item));
            skip_ws();
            if (pos_ >= s_.size()) return std::nullopt;
            if (s_[pos_] == ',') {
                ++pos_;
                continue;
            }
            if (s_[pos_] != '}') return std::nullopt;
        }
    }
};

void dumps_into(std::string& out, const PyValue& v) {
    switch (v.kind) {
        case PyValue::Kind::NONE:
            out += "null";
            break;
        case PyValue::Kind::BOOL:
            out += v.boolean ? "true" : "false";
            break;
        case PyValue::Kind::INT:
            out += v.text;
            break;
        case PyValue::Kind::FLOAT:
            out += py_float_repr(v.number);
            break;
        case PyValue::Kind::STR:
            out += py_json_quote(v.text);
            break;
        case PyValue::Kind::LIST:
            out += '[';
            for (std::size_t i = 0; i < v.items.size(); ++i) {
                if (i) out += ", ";
                dumps_into(out, v.items[i]);
            }
            out += ']';
            break;
        case PyValue::Kind::DICT:
            out += '{';
            for (std::size_t i = 0; i < v.keys.size(); ++i) {
                if (i) out += ", ";
                out += py_json_quote(v.keys[i]);
                out += ": ";
                dumps_into(out, v.items[i]);
            }
            out += '}';
            break;
    }
}

}  // namespace

std::optional<PyValue> py_json_loads(std::string_view text) {
    return JsonReader(text).document();
}

std::optional<PyValue> py_literal_eval(std::string_view text) {
    // ast.literal_eval strips leading spaces and tabs; trailing whitespace is ordinary token spacing.
    return LiteralReader(text).document();
}

std::optional<std::string> py_int(std::string_view text) {
    std::string_view s = strip(text);
    bool neg = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        s.remove_prefix(1);
    }
    auto digits = grouped_digits(s, is_digit);
    if (!digits) return std::nullopt;
    return canonical_decimal(*digits, neg);
}

std::optional<double> py_float(std::string_view text) {
    std::string_view s = strip(text);
    bool neg = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        s.remove_prefix(1);
    }
    double d = 0;
    if (iequals(s, "inf") || iequals(s, "infinity")) {
        d = std::numeric_limits<double>::infinity();
    } else if (iequals(s, "nan")) {
        d = std::numeric_limits<double>::quiet_NaN();
    } else {
        auto t = decimal_float_text(s);
        if (!t) return std::nullopt;
        auto parsed = parse_decimal_double(*t);
        if (!parsed) return std::nullopt;
        d = *parsed;
    }
    return neg ? -d : d;
}

std::string py_json_quote(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    for (char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", unsigned(static_cast<unsigned char>(c)));
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    out += '"';
    return out;
}

std::string py_float_repr(double d) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    return python_finite_float_repr(d);
}

std::string py_integral_double_digits(double d) {
    bool neg = d < 0;
    double a = std::fabs(d);
    if (a < 9007199254740992.0) return canonical_decimal(std::to_string(std::int64_t(a)), neg);
    int exp = 0;
    double m = std::frexp(a, &exp);  // a = m * 2^exp, m in [0.5, 1)
    auto mant = std::uint64_t(std::ldexp(m, 53));
    exp -= 53;  // a = mant * 2^exp with exp >= 0 here
    BigDec big;
    for (char c : std::to_string(mant)) big.mul_add(10, std::uint32_t(c - '0'));
    for (int i = 0; i < exp; ++i) big.mul_add(2, 0);
    return canonical_decimal(big.str(), neg);
}

std::string py_json_dumps(const PyValue& v) {
    std::string out;
    dumps_into(out, v);
    return out;
}

}  // namespace hy::chat
