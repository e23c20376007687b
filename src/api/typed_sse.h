// SSE framing of the Anthropic and Responses streams (spec/api.md §2.2): `event: <type>` then
// `data: <compact json>` whose payload repeats the type; no [DONE] terminator.
#pragma once

#include <string>
#include <string_view>

#include "api/openai_format.h"

namespace hy::api {

inline std::string typed_sse(std::string_view type, const OJson& payload) {
    std::string s = "event: ";
    s += type;
    s += "\ndata: ";
    s += dump(payload);
    s += "\n\n";
    return s;
}

}  // namespace hy::api
