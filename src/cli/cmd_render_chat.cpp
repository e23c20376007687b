// `hyserve render-chat [--model PATH] --request FILE.json [--template FILE] [--ids]`: an OpenAI chat
// request body rendered with the model's own chat template (issue 4). PATH is a model directory
// (chat_template.jinja or tokenizer_config.json), a tokenizer_config.json, or a .gguf whose
// tokenizer.chat_template is used; the GGUF glue lives here so chat/ does not depend on model/.
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "chat/chat_template.h"
#include "cli/commands.h"
#include "core/error.h"
#include "model/gguf.h"
#include "tokenizer/tokenizer.h"

namespace hy::cli {
namespace {

namespace fs = std::filesystem;

chat::ChatTemplateSource from_gguf(const std::string& path) {
    GgufFile g = open_gguf(path);
    chat::ChatTemplateSource s;
    s.origin = path;
    const GgufValue* t = g.find("tokenizer.chat_template");
    if (!t || !t->is_string()) throw file_error(path, "no tokenizer.chat_template string");
    s.text = t->as_string();
    const GgufValue* tokens = g.find("tokenizer.ggml.tokens");
    auto token = [&](const char* key) -> std::string {
        const GgufValue* id = g.find(key);
        if (!id || !tokens) return "";
        int64_t i = id->as_int();
        const auto& all = tokens->as_string_array();
        return i >= 0 && static_cast<size_t>(i) < all.size() ? all[static_cast<size_t>(i)] : "";
    };
    s.bos_token = token("tokenizer.ggml.bos_token_id");
    s.eos_token = token("tokenizer.ggml.eos_token_id");
    return s;
}

// A model directory holding a .gguf but no tokenizer_config.json uses the GGUF's template.
chat::ChatTemplateSource template_source(const std::string& path) {
    if (fs::is_regular_file(path)) {
        if (path.size() >= 5 && path.substr(path.size() - 5) == ".gguf") return from_gguf(path);
        return chat::load_template_from_dir(fs::path(path).parent_path().string());
    }
    if (!fs::is_directory(path)) throw Error(path + ": no such model file or directory");
    if (fs::exists(fs::path(path) / "tokenizer_config.json") ||
        fs::exists(fs::path(path) / "chat_template.jinja"))
        return chat::load_template_from_dir(path);
    for (const auto& e : fs::directory_iterator(path))
        if (e.path().extension() == ".gguf") return from_gguf(e.path().string());
    throw file_error(path, "no chat template found (tokenizer_config.json, chat_template.jinja or a .gguf)");
}

}  // namespace

void register_render_chat(CLI::App& app) {
    auto* cmd =
        app.add_subcommand("render-chat", "Render an OpenAI chat request with the model's chat template");
    auto model = std::make_shared<std::string>();
    auto request_path = std::make_shared<std::string>();
    auto template_path = std::make_shared<std::string>();
    auto ids = std::make_shared<bool>(false);
    cmd->add_option("--model", *model,
                    "model directory, tokenizer_config.json or .gguf (default: the embedded model)");
    cmd->add_option("--request", *request_path, "chat completion request body (JSON)")->required();
    cmd->add_option("--template", *template_path, "use this Jinja file instead of the model's template");
    cmd->add_flag("--ids", *ids, "print the prompt's token ids (JSON array) instead of its text");
    cmd->callback([model, request_path, template_path, ids] {
        std::string path = model->empty() ? default_model_path() : *model;
        chat::ChatTemplateSource src;
        if (!model->empty() || template_path->empty()) src = template_source(path);
        if (!template_path->empty()) {
            src.text = chat::read_file_text(*template_path);
            src.origin = *template_path;
        }
        auto body = nlohmann::ordered_json::parse(chat::read_file_text(*request_path), nullptr, false);
        if (body.is_discarded()) throw Error(*request_path + ": not valid JSON");
        chat::ChatTemplate tmpl(std::move(src));
        chat::ChatRequest request = chat::ChatRequest::from_json(body);
        if (*ids) {
            auto tokenizer = load_tokenizer(path);
            nlohmann::json out = tmpl.encode(request, *tokenizer);
            std::printf("%s\n", out.dump().c_str());
            return;
        }
        std::string out = tmpl.render(request);
        std::fwrite(out.data(), 1, out.size(), stdout);
    });
}

}  // namespace hy::cli
