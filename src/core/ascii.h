// ASCII case folding for protocol words (flag values, HTTP header names, switch words): locale-free,
// bytes above 0x7F left alone. Shared by the server's configuration, its CORS answers and the bench client.
#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace hy {

inline std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace hy
