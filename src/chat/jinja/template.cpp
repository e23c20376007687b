#include "chat/jinja/template.h"

#include "chat/jinja/json_value.h"
#include "chat/jinja/parser.h"

namespace hy::jinja {

Template::Template(std::string_view source) : ast_(std::make_shared<NodeList>(parse_template(source))) {}

std::string Template::render(const nlohmann::ordered_json& vars, const Limits& limits) const {
    if (!vars.is_object() && !vars.is_null()) throw Error("template variables must be a JSON object");
    return render(vars.is_null() ? Value::new_dict() : from_json(vars), limits);
}

std::string Template::render(const Value& vars, const Limits& limits) const {
    Evaluator ev(limits);
    return ev.render(*ast_, vars);
}

}  // namespace hy::jinja
