#include "chat/py_float.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace hy::chat {

std::string python_finite_float_repr(double d) {
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string sci(buf, res.ptr);
    const bool neg = sci[0] == '-';
    if (neg) sci.erase(0, 1);
    const std::size_t epos = sci.find('e');
    const int exp10 = std::atoi(sci.c_str() + epos + 1);
    std::string digits;
    for (std::size_t i = 0; i < epos; ++i)
        if (sci[i] != '.') digits += sci[i];
    std::string out = neg ? "-" : "";
    if (exp10 < -4 || exp10 >= 16) {
        out += digits[0];
        if (digits.size() > 1) out += "." + digits.substr(1);
        char eb[16];
        std::snprintf(eb, sizeof eb, "e%c%02d", exp10 < 0 ? '-' : '+', std::abs(exp10));
        out += eb;
    } else if (exp10 < 0) {
        out += "0." + std::string(static_cast<std::size_t>(-exp10 - 1), '0') + digits;
    } else {
        const std::size_t int_len = static_cast<std::size_t>(exp10) + 1;
        if (digits.size() <= int_len)
            out += digits + std::string(int_len - digits.size(), '0') + ".0";
        else
            out += digits.substr(0, int_len) + "." + digits.substr(int_len);
    }
    return out;
}

}  // namespace hy::chat
