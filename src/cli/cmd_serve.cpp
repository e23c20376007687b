// `hyserve serve`: the OpenAI-compatible server (issue 5). Flags, NIM_* variables and
// NIM_PASSTHROUGH_ARGS are parsed by server/server_config (so the precedence rules live in one place);
// this file only glues files to the server: weights, tokenizer, chat template, generation config.
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/serving_context.h"
#include "chat/chat_template.h"
#include "cli/commands.h"
#include "core/error.h"
#include "model/hf_reference.h"
#include "server/http_server.h"
#include "server/server_config.h"
#include "tokenizer/tokenizer.h"

namespace hy::cli {

namespace {

namespace fs = std::filesystem;

// The directory holding a model's side files (tokenizer, template, generation_config.json).
std::string model_dir(const std::string& path) {
    std::error_code ec;
    return fs::is_directory(path, ec) ? path : fs::path(path).parent_path().string();
}

// --chat-template FILE (or inline Jinja text, as vLLM accepts), else the model directory's template,
// else the one embedded in a GGUF's metadata.
std::shared_ptr<const chat::ChatTemplate> load_chat_template(const server::ServerConfig& cfg,
                                                             const std::string& path,
                                                             const tok::Tokenizer& tokenizer) {
    std::error_code ec;
    chat::ChatTemplateSource src;
    if (!cfg.chat_template.empty()) {
        if (fs::is_regular_file(cfg.chat_template, ec)) {
            std::ifstream f(cfg.chat_template, std::ios::binary);
            std::stringstream ss;
            ss << f.rdbuf();
            src.text = ss.str();
            src.origin = cfg.chat_template;
        } else if (cfg.chat_template.find("{%") != std::string::npos ||
                   cfg.chat_template.find("{{") != std::string::npos) {
            src.text = cfg.chat_template;
            src.origin = "--chat-template (inline)";
        } else {
            throw Error("--chat-template: " + cfg.chat_template + ": no such file");
        }
        src.bos_token = tokenizer.bos_token();
        src.eos_token = tokenizer.eos_token();
        return std::make_shared<chat::ChatTemplate>(std::move(src));
    }
    const fs::path dir = model_dir(path);
    if (fs::exists(dir / "chat_template.jinja", ec) || fs::exists(dir / "tokenizer_config.json", ec)) {
        src = chat::load_template_from_dir(dir.string());
        if (!src.text.empty()) return std::make_shared<chat::ChatTemplate>(std::move(src));
    }
    if (!tokenizer.chat_template().empty()) {
        src.text = tokenizer.chat_template();
        src.bos_token = tokenizer.bos_token();
        src.eos_token = tokenizer.eos_token();
        src.origin = path;
        return std::make_shared<chat::ChatTemplate>(std::move(src));
    }
    return nullptr;  // chat completions then answer 400
}

std::unique_ptr<server::LoadedModel> load_for_serving(const server::ServerConfig& cfg) {
    const std::string path = cfg.model.empty()
                                 ? default_model_path()
                                 : resolve_model_reference(cfg.model, cfg.revision, cfg.download_dir,
                                                           [](const char* k) { return std::getenv(k); });
    if (path != cfg.model && !cfg.model.empty()) SPDLOG_INFO("model {} found at {}", cfg.model, path);
    auto m = std::make_unique<server::LoadedModel>();
    m->weights = load_model(path);
    std::error_code ec;
    const bool gguf = fs::path(path).extension() == ".gguf";
    m->tokenizer = load_tokenizer(gguf || fs::is_directory(path, ec) ? path : model_dir(path));
    m->chat_template = load_chat_template(cfg, path, *m->tokenizer);
    if (cfg.generation_config == "auto" || cfg.generation_config == "vllm")
        m->defaults = api::load_generation_config(model_dir(path));
    else
        m->defaults = api::load_generation_config(cfg.generation_config);
    return m;
}

}  // namespace

void register_serve(CLI::App& app) {
    auto* cmd =
        app.add_subcommand("serve", "Serve a model over an OpenAI-compatible HTTP API (see serve --help)");
    // Every word after `serve` goes to server_config, which knows the vLLM/NIM flag set.
    cmd->prefix_command();
    cmd->set_help_flag();
    cmd->callback([cmd] {
        std::vector<std::string> args = cmd->remaining();
        server::ServerConfig cfg =
            server::parse_server_config(args, [](const char* k) { return std::getenv(k); });
        if (cfg.help) {
            std::printf("%s", server::server_help().c_str());
            return;
        }
        const int rc = server::run_server(cfg, &load_for_serving);
        if (rc != 0) std::exit(rc);
    });
}

}  // namespace hy::cli
