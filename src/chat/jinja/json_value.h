// Conversion between JSON documents (key order preserved) and template values.
#pragma once

#include <nlohmann/json.hpp>

#include "chat/jinja/value.h"

namespace hy::jinja {

Value from_json(const nlohmann::ordered_json& j);

}  // namespace hy::jinja
