// Code point sets as byte-level grammar expressions: every front end speaks in characters, the
// matcher in bytes. Surrogates (U+D800..U+DFFF) are never produced, so output is always valid UTF-8.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/utf8.h"  // utf8_append
#include "engine/grammar/grammar_ir.h"

namespace hy::grammar {

inline constexpr uint32_t kMaxCodepoint = 0x10FFFF;

// Sorted, disjoint, non-adjacent inclusive ranges.
using CodepointRanges = std::vector<std::pair<uint32_t, uint32_t>>;

CodepointRanges normalize(CodepointRanges ranges);
CodepointRanges complement(const CodepointRanges& ranges);  // within [0, 0x10FFFF]
CodepointRanges case_fold(const CodepointRanges& ranges);   // adds the other case of ASCII letters

// The UTF-8 encodings of the set, as raw bytes.
Expr utf8_expr(const CodepointRanges& ranges);
// The set as it may appear inside a JSON string literal: '"' as \", '\' as \\, control characters as
// \u00XX, everything else raw. Used for "pattern" and "format" strings, so that the decoded string
// is exactly the character the regex matched.
Expr json_string_char_expr(const CodepointRanges& ranges);

// All symbol strings of lo's length that lie between lo and hi (inclusive, lexicographic), where every
// position after the first ranges over [tail_min, tail_max] (lo and hi must be within that range there).
// Serves UTF-8 (continuation bytes 0x80..0xBF) and decimal integer ranges (digits '0'..'9').
Expr lexicographic_range(const std::vector<unsigned>& lo, const std::vector<unsigned>& hi, unsigned tail_min,
                         unsigned tail_max);

}  // namespace hy::grammar
