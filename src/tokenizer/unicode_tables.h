// Unicode data the tokenizer needs (generated into unicode_tables.cpp by tools/gen_unicode_tables.py)
// and the lookups over it: normalization forms (UAX #15) and the character classes Rust's char methods
// test in HF pre-tokenizers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hy::tok {

namespace ucd {
struct CccEntry {
    char32_t cp;
    uint8_t ccc;
};
struct CccTable {
    const CccEntry* entries;
    size_t size;
};
struct MapEntry {
    char32_t cp;
    uint32_t offset;
    uint32_t length;
};
struct MapTable {
    const MapEntry* entries;
    size_t size;
    const char32_t* data;
};
struct ComposeEntry {
    char32_t first, second, composite;
};
struct ComposeTable {
    const ComposeEntry* entries;
    size_t size;
};
struct Range {
    char32_t lo, hi;
};
struct RangeTable {
    const Range* ranges;
    size_t size;
};
extern const CccTable ccc;
extern const MapTable canonical, compat, lowercase;
extern const ComposeTable composition;
extern const RangeTable punctuation, numeric, alphanumeric, whitespace;
}  // namespace ucd

enum class NormalForm { NFC, NFD, NFKC, NFKD };

// Normalizes UTF-8 text; malformed input bytes become U+FFFD first.
std::string unicode_normalize(std::string_view text, NormalForm form);
// Per-character full lowercase mapping (Rust char::to_lowercase, as HF's Lowercase normalizer applies it:
// no context-dependent final sigma).
std::string unicode_lowercase(std::string_view text);

bool is_unicode_punctuation(char32_t cp);  // general category P*
bool is_unicode_numeric(char32_t cp);      // general category N*
bool is_unicode_alphanumeric(char32_t cp);
bool is_unicode_whitespace(char32_t cp);  // White_Space property

}  // namespace hy::tok
