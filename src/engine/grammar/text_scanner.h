// The cursor both text front ends (regex_compiler.cpp, gbnf_parser.cpp) read their input with:
// UTF-8 code points, hex escapes and repetition counts, each failing through the parser's own fail().
#pragma once

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engine/grammar/utf8_ranges.h"

namespace hy::grammar {

class TextScanner {
  public:
    explicit TextScanner(std::string_view text) : t_(text) {}
    virtual ~TextScanner() = default;

  protected:
    // Throws hy::Error naming the position (each parser words it its own way).
    virtual void throw_error(const std::string& msg) const = 0;
    [[noreturn]] void fail(const std::string& msg) const {
        throw_error(msg);
        std::abort();  // throw_error always throws
    }

    bool at_end() const { return pos_ >= t_.size(); }
    char peek() const { return at_end() ? '\0' : t_[pos_]; }

    uint32_t next_codepoint() {
        unsigned char c = static_cast<unsigned char>(t_[pos_]);
        size_t n = c < 0x80 ? 1 : c >= 0xF8 ? 0 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
        if (n == 0 || pos_ + n > t_.size()) fail("invalid UTF-8");
        uint32_t cp = n == 1 ? c : c & (0x3Fu >> (n - 1));
        for (size_t k = 1; k < n; ++k) {
            unsigned char cc = static_cast<unsigned char>(t_[pos_ + k]);
            if ((cc & 0xC0) != 0x80) fail("invalid UTF-8");
            cp = (cp << 6) | (cc & 0x3Fu);
        }
        if (cp > kMaxCodepoint || (cp >= 0xD800 && cp <= 0xDFFF)) fail("invalid UTF-8");
        pos_ += n;
        return cp;
    }

    // n hex digits.
    uint32_t parse_hex(size_t n) {
        uint32_t v = 0;
        for (size_t k = 0; k < n; ++k) {
            if (at_end() || !std::isxdigit(static_cast<unsigned char>(peek()))) fail("bad hex escape");
            char h = peek();
            v = v * 16 + static_cast<uint32_t>(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
            ++pos_;
        }
        return v;
    }

    // A decimal repetition count, at most `limit`.
    uint32_t parse_count(uint32_t limit) {
        uint64_t v = 0;
        size_t start = pos_;
        while (!at_end() && std::isdigit(static_cast<unsigned char>(peek()))) {
            v = v * 10 + static_cast<uint64_t>(peek() - '0');
            if (v > limit) fail("repetition count above " + std::to_string(limit));
            ++pos_;
        }
        if (pos_ == start) fail("expected a number");
        return static_cast<uint32_t>(v);
    }

    std::string_view t_;
    size_t pos_ = 0;
};

}  // namespace hy::grammar
