// Recursive-descent parser for Jinja2 statements and expressions, following Jinja2's grammar and
// operator precedence (including its left-associative `**` and filters binding tighter than unary
// minus). Syntax errors throw hy::Error "template:LINE:COL: ...".
#pragma once

#include <string_view>

#include "chat/jinja/ast.h"

namespace hy::jinja {

NodeList parse_template(std::string_view source);

}  // namespace hy::jinja
