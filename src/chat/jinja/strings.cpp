// Python str methods on UTF-8 text: strip with Unicode whitespace, split, replace, case mapping
// (ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic; other scripts are left unchanged).
#include "chat/jinja/builtins.h"

namespace hy::jinja {
namespace {

bool py_space(char32_t c) {
    return (c >= 9 && c <= 13) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
           c == 0x3000;
}

char32_t to_lower(char32_t c) {
    if (c >= 'A' && c <= 'Z') return c + 32;
    if (c < 0x80) return c;
    if ((c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 32;
    if (c == 0x178) return 0xFF;
    if (c >= 0x1C4 && c <= 0x1CC) return c - (c - 0x1C4) % 3 + 2;  // DŽ Dž dž, LJ Lj lj, NJ Nj nj
    if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 && c != 0x17F) {
        bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
        if (odd_upper) return (c % 2 == 1) ? c + 1 : c;
        return (c % 2 == 0) ? c + 1 : c;
    }
    if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 32;
    if (c == 0x386) return 0x3AC;
    if (c >= 0x388 && c <= 0x38A) return c + 37;
    if (c == 0x38C) return 0x3CC;
    if (c == 0x38E || c == 0x38F) return c + 63;
    if (c >= 0x410 && c <= 0x42F) return c + 32;
    if (c >= 0x400 && c <= 0x40F) return c + 80;
    return c;
}

char32_t to_upper(char32_t c) {
    if (c >= 'a' && c <= 'z') return c - 32;
    if (c < 0x80) return c;
    if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return c - 32;
    if (c == 0xFF) return 0x178;
    if (c >= 0x1C4 && c <= 0x1CC) return c - (c - 0x1C4) % 3;
    if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 && c != 0x17F) {
        bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
        if (odd_upper) return (c % 2 == 0) ? c - 1 : c;
        return (c % 2 == 1) ? c - 1 : c;
    }
    if (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) return c - 32;
    if (c == 0x3C2) return 0x3A3;
    if (c == 0x3AC) return 0x386;
    if (c >= 0x3AD && c <= 0x3AF) return c - 37;
    if (c == 0x3CC) return 0x38C;
    if (c == 0x3CD || c == 0x3CE) return c - 63;
    if (c >= 0x430 && c <= 0x44F) return c - 32;
    if (c >= 0x450 && c <= 0x45F) return c - 80;
    return c;
}

bool is_cased_letter(char32_t c) {
    return to_lower(c) != c || to_upper(c) != c;
}

std::string map_case(const std::string& s, char32_t (*f)(char32_t)) {
    std::u32string cps = utf8_decode(s);
    for (auto& c : cps) c = f(c);
    return utf8_encode(cps);
}

}  // namespace

std::string py_strip(const std::string& s, const Value* chars, bool left, bool right) {
    std::u32string cps = utf8_decode(s);
    std::u32string set;
    bool ws = !chars || chars->is_none() || chars->is_undefined();
    if (!ws) {
        if (chars->kind != Kind::String) runtime_error("strip arg must be None or str");
        set = utf8_decode(chars->s);
    }
    auto strip_it = [&](char32_t c) { return ws ? py_space(c) : set.find(c) != std::u32string::npos; };
    size_t b = 0, e = cps.size();
    if (left)
        while (b < e && strip_it(cps[b])) ++b;
    if (right)
        while (e > b && strip_it(cps[e - 1])) --e;
    return utf8_encode(cps.substr(b, e - b));
}

std::string py_lower(const std::string& s) {
    return map_case(s, to_lower);
}
std::string py_upper(const std::string& s) {
    return map_case(s, to_upper);
}

std::string py_capitalize(const std::string& s) {
    std::u32string cps = utf8_decode(s);
    for (size_t k = 0; k < cps.size(); ++k) cps[k] = k == 0 ? to_upper(cps[k]) : to_lower(cps[k]);
    return utf8_encode(cps);
}

// str.title(): a letter after a non-letter is upper-cased, other letters lower-cased.
std::string py_title(const std::string& s) {
    std::u32string cps = utf8_decode(s);
    bool prev_cased = false;
    for (auto& c : cps) {
        bool letter = is_cased_letter(c);
        c = letter ? (prev_cased ? to_lower(c) : to_upper(c)) : c;
        prev_cased = letter;
    }
    return utf8_encode(cps);
}

Value py_split(const std::string& s, const Value* sep, const Value* maxsplit, bool from_right) {
    int64_t limit = maxsplit && maxsplit->is_int() ? maxsplit->as_int() : -1;
    ValueList parts;
    if (!sep || sep->is_none() || sep->is_undefined()) {
        std::u32string cps = utf8_decode(s);
        std::vector<std::u32string> words;
        if (!from_right) {
            size_t k = 0;
            while (k < cps.size()) {
                while (k < cps.size() && py_space(cps[k])) ++k;
                if (k >= cps.size()) break;
                if (limit >= 0 && static_cast<int64_t>(words.size()) == limit) {
                    size_t e = cps.size();
                    while (e > k && py_space(cps[e - 1])) --e;
                    words.push_back(cps.substr(k, e - k));
                    break;
                }
                size_t st = k;
                while (k < cps.size() && !py_space(cps[k])) ++k;
                words.push_back(cps.substr(st, k - st));
            }
        } else {
            size_t k = cps.size();
            while (k > 0) {
                while (k > 0 && py_space(cps[k - 1])) --k;
                if (k == 0) break;
                if (limit >= 0 && static_cast<int64_t>(words.size()) == limit) {
                    size_t b = 0;
                    while (b < k && py_space(cps[b])) ++b;
                    words.insert(words.begin(), cps.substr(b, k - b));
                    break;
                }
                size_t e = k;
                while (k > 0 && !py_space(cps[k - 1])) --k;
                words.insert(words.begin(), cps.substr(k, e - k));
            }
        }
        for (auto& w : words) parts.push_back(Value::string(utf8_encode(w)));
        return Value::new_list(std::move(parts));
    }
    if (sep->kind != Kind::String) runtime_error("must be str or None, not " + type_name(*sep));
    const std::string& d = sep->s;
    if (d.empty()) runtime_error("empty separator");
    std::vector<std::string> out;
    if (!from_right) {
        size_t start = 0;
        while (true) {
            size_t at = (limit >= 0 && static_cast<int64_t>(out.size()) >= limit) ? std::string::npos
                                                                                  : s.find(d, start);
            if (at == std::string::npos) {
                out.push_back(s.substr(start));
                break;
            }
            out.push_back(s.substr(start, at - start));
            start = at + d.size();
        }
    } else {
        size_t end = s.size();
        while (true) {
            size_t at = (limit >= 0 && static_cast<int64_t>(out.size()) >= limit) || end < d.size()
                            ? std::string::npos
                            : s.rfind(d, end - d.size());
            if (at == std::string::npos) {
                out.insert(out.begin(), s.substr(0, end));
                break;
            }
            out.insert(out.begin(), s.substr(at + d.size(), end - at - d.size()));
            end = at;
        }
    }
    for (auto& w : out) parts.push_back(Value::string(std::move(w)));
    return Value::new_list(std::move(parts));
}

std::string py_replace(const std::string& s, const std::string& old, const std::string& rep, int64_t count) {
    std::string out;
    if (old.empty()) {  // Python inserts `rep` between characters and at both ends
        std::u32string cps = utf8_decode(s);
        int64_t n = 0;
        for (size_t k = 0; k <= cps.size(); ++k) {
            if (count < 0 || n < count) {
                out += rep;
                ++n;
            }
            if (k < cps.size()) out += utf8_encode(std::u32string(1, cps[k]));
        }
        return out;
    }
    size_t pos = 0;
    int64_t n = 0;
    while (count < 0 || n < count) {
        size_t at = s.find(old, pos);
        if (at == std::string::npos) break;
        out.append(s, pos, at - pos);
        out += rep;
        pos = at + old.size();
        ++n;
    }
    out.append(s, pos, std::string::npos);
    return out;
}

std::string html_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&#34;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

}  // namespace hy::jinja
