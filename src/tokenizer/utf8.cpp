#include "tokenizer/utf8.h"

namespace hy::tok {

int utf8_lead_length(unsigned char c) {
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return 2;
    if (c >= 0xE0 && c <= 0xEF) return 3;
    if (c >= 0xF0 && c <= 0xF4) return 4;
    return 0;
}

// Returns the sequence length at s[i] if valid and complete, 0 if invalid, -1 if truncated.
static int valid_seq(std::string_view s, size_t i) {
    auto c = static_cast<unsigned char>(s[i]);
    int n = utf8_lead_length(c);
    if (n <= 1) return n;
    for (int k = 1; k < n; ++k) {
        if (i + k >= s.size()) return -1;
        auto d = static_cast<unsigned char>(s[i + k]);
        if ((d & 0xC0) != 0x80) return 0;
        if (k == 1) {  // overlongs, surrogates and > U+10FFFF are rejected on the second byte
            if (c == 0xE0 && d < 0xA0) return 0;
            if (c == 0xED && d > 0x9F) return 0;
            if (c == 0xF0 && d < 0x90) return 0;
            if (c == 0xF4 && d > 0x8F) return 0;
        }
    }
    return n;
}

char32_t utf8_decode(std::string_view s, size_t i, size_t& len) {
    int n = valid_seq(s, i);
    if (n <= 0) {
        len = 1;
        return 0xFFFD;
    }
    len = static_cast<size_t>(n);
    auto c = static_cast<unsigned char>(s[i]);
    if (n == 1) return c;
    char32_t cp = c & (0x7F >> n);
    for (int k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    return cp;
}

size_t utf8_valid_prefix(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        int n = valid_seq(s, i);
        if (n <= 0) break;
        i += static_cast<size_t>(n);
    }
    return i;
}

std::string utf8_lossy(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
        int n = valid_seq(s, i);
        if (n > 0) {
            out.append(s.substr(i, static_cast<size_t>(n)));
            i += static_cast<size_t>(n);
        } else {
            out += "\xEF\xBF\xBD";
            // Like Rust, a truncated-but-valid prefix of a sequence is one replacement character.
            size_t j = i + 1;
            auto c = static_cast<unsigned char>(s[i]);
            int want = utf8_lead_length(c);
            while (want > 1 && j < s.size() && j < i + static_cast<size_t>(want) &&
                   (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) {
                std::string_view probe = s.substr(i, j - i + 1);
                if (valid_seq(std::string_view(probe.data(), probe.size()), 0) == 0) break;
                ++j;
            }
            i = j;
        }
    }
    return out;
}

}  // namespace hy::tok
