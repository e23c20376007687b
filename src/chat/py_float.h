// Python's repr(float) layout for finite numbers, shared by the Jinja engine (str/repr of floats)
// and the tool-call value printer (json.dumps of floats): the shortest round-trip digits, scientific
// when the decimal exponent is below -4 or at least 16, fixed otherwise (".0" when there is no
// fraction). NaN and infinities are spelled by the callers (Python "nan"/"inf", JSON "NaN"/"Infinity").
#pragma once

#include <string>

namespace hy::chat {

std::string python_finite_float_repr(double d);  // d must be finite

}  // namespace hy::chat
