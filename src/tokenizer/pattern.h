// The `pattern` of HF Split / Replace components: {"String": "..."} (literal) or {"Regex": "..."}.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenizer/regex.h"

namespace hy::tok {

class Pattern {
  public:
    // `where` names the file and key for error messages.
    Pattern(const nlohmann::json& j, const std::string& where);
    static Pattern literal(std::string s);

    // Non-overlapping matches, left to right, as [begin, end) byte ranges; empty matches skipped.
    void find_all(std::string_view text, std::vector<std::pair<size_t, size_t>>& out) const;
    // Replaces every match by `content`.
    std::string replace_all(std::string_view text, std::string_view content) const;

  private:
    Pattern() = default;
    std::string literal_;
    std::shared_ptr<Regex> regex_;
};

}  // namespace hy::tok
