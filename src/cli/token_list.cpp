#include "cli/token_list.h"

#include <cerrno>
#include <cstdlib>

#include "core/error.h"

namespace hy::cli {

std::vector<int64_t> parse_int_list(const std::string& text, const std::string& option) {
    std::vector<int64_t> out;
    size_t i = 0;
    while (i <= text.size()) {
        const size_t j = text.find(',', i) == std::string::npos ? text.size() : text.find(',', i);
        const std::string item = text.substr(i, j - i);
        char* end = nullptr;
        errno = 0;
        const long long v = std::strtoll(item.c_str(), &end, 10);
        if (item.empty() || end != item.c_str() + item.size() || errno != 0)
            throw Error(option + ": '" + item + "' is not an integer (expected a comma-separated list)", 400,
                        "invalid_request_error", option);
        out.push_back(v);
        i = j + 1;
    }
    return out;
}

}  // namespace hy::cli
