// A regex subset compiled to grammar expressions (README.md, "Regex subset"): literals, escapes
// (\d \w \s and negations, \n \r \t \f \v \0 \xHH \uHHHH \u{H..}, escaped punctuation), '.',
// classes [...] with ranges and negation, groups (...) (?:...) (?<name>...), alternation, and the
// quantifiers * + ? {n} {n,} {n,m} (lazy forms accepted: laziness does not change the language).
// Rejected with a 400: backreferences, lookaround, word boundaries, \p{..}, anchors other than a
// leading ^ and a trailing $.
#pragma once

#include <string>
#include <string_view>

#include "engine/grammar/grammar_ir.h"

namespace hy::grammar {

enum class RegexMode {
    Raw,         // characters as UTF-8 bytes (structured_outputs.regex, whitespace_pattern)
    JsonString,  // characters as they may appear inside a JSON string literal (schema "pattern")
};

struct CompiledRegex {
    Expr expr;
    bool anchored_start = false;  // pattern began with ^
    bool anchored_end = false;    // pattern ended with $
};

// `what` prefixes error messages, e.g. "JSON schema at /properties/id: pattern".
CompiledRegex compile_regex_expr(std::string_view pattern, RegexMode mode, uint32_t max_repetition,
                                 const std::string& what);

}  // namespace hy::grammar
