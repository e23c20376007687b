// Minimal UTF-8 helpers shared by the tokenizer stages. Decoding never reads past the end and maps
// malformed sequences to U+FFFD consuming one byte, like a lossy decoder.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/utf8.h"  // utf8_append

namespace hy::tok {

// Decodes the code point at s[i]; sets len to the bytes consumed (>= 1). Invalid -> 0xFFFD, len 1.
char32_t utf8_decode(std::string_view s, size_t i, size_t& len);
// Length a lead byte announces (1..4), or 0 for a continuation/invalid lead byte.
int utf8_lead_length(unsigned char c);
// Length of the longest prefix of s that is complete, valid UTF-8 (stops before an incomplete tail).
size_t utf8_valid_prefix(std::string_view s);
// Replaces invalid sequences by U+FFFD (like Rust's String::from_utf8_lossy).
std::string utf8_lossy(std::string_view s);

}  // namespace hy::tok

namespace hy::tok {
// s = prefix + s (written out because gcc 12's -Wrestrict misfires on std::string::insert(0, ...)).
inline void prepend(std::string& s, std::string_view prefix) {
    std::string out;
    out.reserve(prefix.size() + s.size());
    out.append(prefix);
    out.append(s);
    s = std::move(out);
}
}  // namespace hy::tok
