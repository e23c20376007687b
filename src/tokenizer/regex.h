// PCRE2 wrapper for the regexes tokenizer files declare (Split pre-tokenizer, ByteLevel's GPT-2 pattern).
// Compiled with UTF + UCP so \p{L}, \s, \w follow Unicode like the Rust `onig`/`fancy-regex` engines HF
// uses, JIT-compiled when available, and matched with PCRE2_MATCH_INVALID_UTF so malformed input never
// crashes the matcher.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hy::tok {

class Regex {
  public:
    // Throws hy::Error naming `what` (file/key) and the error offset if the pattern does not compile.
    Regex(const std::string& pattern, const std::string& what = "regex");
    ~Regex();
    Regex(const Regex&) = delete;
    Regex& operator=(const Regex&) = delete;

    // Non-overlapping matches [begin, end) left to right; empty matches are skipped.
    void find_all(std::string_view text, std::vector<std::pair<size_t, size_t>>& out) const;
    const std::string& pattern() const { return pattern_; }

  private:
    struct Impl;
    std::string pattern_;
    std::unique_ptr<Impl> impl_;
};

}  // namespace hy::tok
