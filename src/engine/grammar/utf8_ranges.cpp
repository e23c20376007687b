#include "engine/grammar/utf8_ranges.h"

#include <algorithm>
#include <cstdio>

namespace hy::grammar {

CodepointRanges normalize(CodepointRanges ranges) {
    std::sort(ranges.begin(), ranges.end());
    CodepointRanges out;
    for (auto [lo, hi] : ranges) {
        if (lo > hi) continue;
        if (!out.empty() && lo <= out.back().second + 1) {
            out.back().second = std::max(out.back().second, hi);
        } else {
            out.push_back({lo, hi});
        }
    }
    return out;
}

CodepointRanges complement(const CodepointRanges& ranges) {
    CodepointRanges in = normalize(ranges), out;
    uint32_t next = 0;
    for (auto [lo, hi] : in) {
        if (lo > next) out.push_back({next, lo - 1});
        next = hi + 1;
    }
    if (next <= kMaxCodepoint) out.push_back({next, kMaxCodepoint});
    return out;
}

CodepointRanges case_fold(const CodepointRanges& ranges) {
    CodepointRanges out = ranges;
    for (auto [lo, hi] : ranges) {
        for (uint32_t c = std::max<uint32_t>(lo, 'A'); c <= std::min<uint32_t>(hi, 'Z'); ++c)
            out.push_back({c + 32, c + 32});
        for (uint32_t c = std::max<uint32_t>(lo, 'a'); c <= std::min<uint32_t>(hi, 'z'); ++c)
            out.push_back({c - 32, c - 32});
    }
    return normalize(out);
}

namespace {

using Symbols = std::vector<unsigned>;

void split(const Symbols& lo, const Symbols& hi, size_t i, unsigned tmin, unsigned tmax,
           std::vector<Expr>& prefix, std::vector<Expr>& out) {
    const size_t n = lo.size();
    if (i + 1 == n) {
        prefix.push_back(byte_range(lo[i], hi[i]));
        out.push_back(seq(prefix));
        prefix.pop_back();
        return;
    }
    if (lo[i] == hi[i]) {
        prefix.push_back(byte_range(lo[i], lo[i]));
        split(lo, hi, i + 1, tmin, tmax, prefix, out);
        prefix.pop_back();
        return;
    }
    bool lo_min = true, hi_max = true;
    Symbols top = lo, bottom = hi;
    for (size_t k = i + 1; k < n; ++k) {
        lo_min = lo_min && lo[k] == tmin;
        hi_max = hi_max && hi[k] == tmax;
        top[k] = tmax;
        bottom[k] = tmin;
    }
    unsigned first = lo[i], last = hi[i];
    if (!lo_min) {  // lo[i] followed by lo's tail .. max
        prefix.push_back(byte_range(lo[i], lo[i]));
        split(lo, top, i + 1, tmin, tmax, prefix, out);
        prefix.pop_back();
        ++first;
    }
    if (!hi_max) --last;
    if (first <= last) {
        prefix.push_back(byte_range(first, last));
        for (size_t k = i + 1; k < n; ++k) prefix.push_back(byte_range(tmin, tmax));
        out.push_back(seq(prefix));
        prefix.resize(prefix.size() - (n - i));
    }
    if (!hi_max) {
        prefix.push_back(byte_range(hi[i], hi[i]));
        split(bottom, hi, i + 1, tmin, tmax, prefix, out);
        prefix.pop_back();
    }
}

Symbols encode(uint32_t cp) {
    std::string s;
    utf8_append(s, cp);
    Symbols out;
    for (unsigned char c : s) out.push_back(c);
    return out;
}

void add_range(uint32_t lo, uint32_t hi, std::vector<Expr>& out) {
    static constexpr uint32_t kBounds[] = {0x7F, 0x7FF, 0xFFFF, kMaxCodepoint};
    uint32_t start = 0;
    for (uint32_t bound : kBounds) {
        uint32_t a = std::max(lo, start), b = std::min(hi, bound);
        start = bound + 1;
        if (a > b) continue;
        std::vector<Expr> prefix;
        split(encode(a), encode(b), 0, 0x80, 0xBF, prefix, out);
    }
}

}  // namespace

Expr lexicographic_range(const std::vector<unsigned>& lo, const std::vector<unsigned>& hi, unsigned tail_min,
                         unsigned tail_max) {
    std::vector<Expr> prefix, out;
    split(lo, hi, 0, tail_min, tail_max, prefix, out);
    return alt(std::move(out));
}

Expr utf8_expr(const CodepointRanges& ranges) {
    std::vector<Expr> out;
    // One byte set for all ASCII members keeps the common case a single element.
    ByteSet ascii;
    for (auto [lo, hi] : normalize(ranges)) {
        if (lo < 0x80) ascii.set_range(lo, std::min<uint32_t>(hi, 0x7F));
        if (hi < 0x80) continue;
        lo = std::max<uint32_t>(lo, 0x80);
        // Surrogates have no UTF-8 encoding.
        if (lo <= 0xDFFF && hi >= 0xD800) {
            if (lo < 0xD800) add_range(lo, 0xD7FF, out);
            if (hi > 0xDFFF) add_range(0xE000, hi, out);
        } else {
            add_range(lo, hi, out);
        }
    }
    if (!ascii.empty()) out.insert(out.begin(), byte_set(ascii));
    return alt(std::move(out));
}

Expr json_string_char_expr(const CodepointRanges& ranges) {
    CodepointRanges raw;
    std::vector<Expr> escaped;
    for (auto [lo, hi] : normalize(ranges)) {
        for (uint32_t c = lo; c <= std::min<uint32_t>(hi, 0x1F); ++c) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            escaped.push_back(literal(buf));
        }
        if (lo <= '"' && '"' <= hi) escaped.push_back(literal("\\\""));
        if (lo <= '\\' && '\\' <= hi) escaped.push_back(literal("\\\\"));
        uint32_t a = std::max<uint32_t>(lo, 0x20);
        if (a > hi) continue;
        // Split around '"' and '\', which are always escaped.
        for (uint32_t c = a; c <= hi;) {
            uint32_t end = hi;
            if (c <= '"' && '"' <= end) end = '"' == c ? c : '"' - 1;
            if (c <= '\\' && '\\' <= end) end = '\\' == c ? c : '\\' - 1;
            if (c != '"' && c != '\\') raw.push_back({c, end});
            if (end == UINT32_MAX) break;
            c = end + 1;
        }
    }
    std::vector<Expr> out;
    if (!raw.empty()) out.push_back(utf8_expr(raw));
    for (auto& e : escaped) out.push_back(std::move(e));
    return alt(std::move(out));
}

}  // namespace hy::grammar
