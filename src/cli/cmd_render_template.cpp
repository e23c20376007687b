// `hyserve render-template --template FILE [--vars FILE.json]`: renders a raw Jinja template with
// Hugging Face's Jinja2 environment and prints exactly what Python Jinja2 would (issue 4).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "chat/chat_template.h"
#include "chat/jinja/template.h"
#include "cli/commands.h"
#include "core/error.h"

namespace hy::cli {

void register_render_template(CLI::App& app) {
    auto* cmd = app.add_subcommand("render-template",
                                   "Render a Jinja template as Python Jinja2 with HF's settings would");
    auto template_path = std::make_shared<std::string>();
    auto vars_path = std::make_shared<std::string>();
    cmd->add_option("--template", *template_path, "Jinja template file")->required();
    cmd->add_option("--vars", *vars_path, "JSON object with the template variables");
    cmd->callback([template_path, vars_path] {
        std::string source = chat::read_file_text(*template_path);
        nlohmann::ordered_json vars = nlohmann::ordered_json::object();
        if (!vars_path->empty()) {
            vars = nlohmann::ordered_json::parse(chat::read_file_text(*vars_path), nullptr, false);
            if (vars.is_discarded() || !vars.is_object()) throw Error(*vars_path + ": not a JSON object");
        }
        std::string out;
        try {
            out = jinja::Template(source).render(vars);
        } catch (const Error& e) {
            throw Error(*template_path + ": " + e.what());
        }
        std::fwrite(out.data(), 1, out.size(), stdout);
    });
}

}  // namespace hy::cli
