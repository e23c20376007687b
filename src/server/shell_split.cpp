#include "server/shell_split.h"

#include "core/error.h"

namespace hy::server {

std::vector<std::string> shell_split(std::string_view s) {
    std::vector<std::string> words;
    std::string cur;
    bool in_word = false;
    size_t i = 0;
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (i < s.size()) {
        const char c = s[i];
        if (is_space(c)) {
            if (in_word) words.push_back(std::move(cur)), cur.clear(), in_word = false;
            ++i;
        } else if (c == '\'') {
            const size_t end = s.find('\'', i + 1);
            if (end == std::string_view::npos) throw Error("NIM_PASSTHROUGH_ARGS: unterminated single quote");
            cur.append(s.substr(i + 1, end - i - 1));
            in_word = true;
            i = end + 1;
        } else if (c == '"') {
            ++i;
            in_word = true;
            for (;;) {
                if (i >= s.size()) throw Error("NIM_PASSTHROUGH_ARGS: unterminated double quote");
                const char d = s[i];
                if (d == '"') {
                    ++i;
                    break;
                }
                if (d == '\\' && i + 1 < s.size() &&
                    (s[i + 1] == '\\' || s[i + 1] == '"' || s[i + 1] == '$' || s[i + 1] == '`')) {
                    cur += s[i + 1];
                    i += 2;
                    continue;
                }
                cur += d;
                ++i;
            }
        } else if (c == '\\') {
            if (i + 1 >= s.size())
                throw Error("NIM_PASSTHROUGH_ARGS: no escaped character after a backslash");
            cur += s[i + 1];
            in_word = true;
            i += 2;
        } else {
            cur += c;
            in_word = true;
            ++i;
        }
    }
    if (in_word) words.push_back(std::move(cur));
    return words;
}

}  // namespace hy::server
