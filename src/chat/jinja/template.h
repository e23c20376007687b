// Public entry point of the Jinja engine: parse once, render many times with Hugging Face's
// Jinja2 environment semantics (spec/model.md 6.4). Errors are hy::Error: syntax errors carry
// "template:LINE:COL", runtime errors "template error: ..." with the template line.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "chat/jinja/ast.h"
#include "chat/jinja/evaluator.h"

namespace hy::jinja {

class Template {
  public:
    explicit Template(std::string_view source);
    std::string render(const nlohmann::ordered_json& vars, const Limits& limits = {}) const;
    std::string render(const Value& vars, const Limits& limits = {}) const;

  private:
    std::shared_ptr<const NodeList> ast_;
};

}  // namespace hy::jinja
