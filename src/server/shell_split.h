// POSIX-shell word splitting without expansion, as Python's shlex.split (spec/api.md §9.2): used for
// NIM_PASSTHROUGH_ARGS. Single quotes are literal, in double quotes a backslash escapes only \ " $ `,
// outside quotes it escapes the next character, adjacent pieces join. An unterminated quote or a
// trailing backslash throws hy::Error.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hy::server {

std::vector<std::string> shell_split(std::string_view text);

}  // namespace hy::server
