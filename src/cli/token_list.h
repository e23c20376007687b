// Parsing of comma-separated integer lists given on the command line (--tokens, --chunks).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hy::cli {

// "1,2,3" -> {1,2,3}. Throws hy::Error naming `option` for empty items or non-integers.
std::vector<int64_t> parse_int_list(const std::string& text, const std::string& option);

}  // namespace hy::cli
