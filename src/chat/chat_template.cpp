#include "chat/chat_template.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "tokenizer/tokenizer.h"

namespace hy::chat {
namespace {

jinja::Template compile(const ChatTemplateSource& s) {
    try {
        return jinja::Template(s.text);
    } catch (const Error& e) {
        throw file_error(s.origin, std::string("chat template: ") + e.what());
    }
}

}  // namespace

std::string read_file_text(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw file_error(path, "cannot open");
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::string select_template(const nlohmann::ordered_json& value, const std::string& where) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_array() && !value.empty()) {
        const nlohmann::ordered_json* chosen = nullptr;
        for (const auto& t : value) {
            if (!t.is_object() || !t.contains("template") || !t["template"].is_string())
                throw file_error(where, "chat_template: list entries must be {name, template}");
            if (t.value("name", "") == "default") chosen = &t;
        }
        if (!chosen) chosen = &value[0];
        return (*chosen)["template"].get<std::string>();
    }
    throw file_error(where, "chat_template must be a string or a list of {name, template}");
}

std::string special_token_text(const nlohmann::ordered_json& config, const char* key) {
    auto it = config.find(key);
    if (it == config.end()) return "";
    if (it->is_string()) return it->get<std::string>();
    if (it->is_object() && it->contains("content") && (*it)["content"].is_string())
        return (*it)["content"].get<std::string>();
    return "";
}

ChatTemplateSource load_template_from_dir(const std::string& dir) {
    namespace fs = std::filesystem;
    ChatTemplateSource s;
    fs::path config_path = fs::path(dir) / "tokenizer_config.json";
    nlohmann::ordered_json config = nlohmann::ordered_json::object();
    if (fs::exists(config_path)) {
        config = nlohmann::ordered_json::parse(read_file_text(config_path.string()), nullptr, false);
        if (config.is_discarded() || !config.is_object())
            throw file_error(config_path.string(), "not a JSON object");
        s.bos_token = special_token_text(config, "bos_token");
        s.eos_token = special_token_text(config, "eos_token");
    }
    fs::path jinja_path = fs::path(dir) / "chat_template.jinja";
    if (fs::exists(jinja_path)) {
        s.text = read_file_text(jinja_path.string());
        s.origin = jinja_path.string();
    } else if (config.contains("chat_template")) {
        s.text = select_template(config["chat_template"], config_path.string());
        s.origin = config_path.string();
    } else {
        throw file_error(
            dir, "no chat template (neither chat_template.jinja nor tokenizer_config.json chat_template)");
    }
    return s;
}

ChatTemplate::ChatTemplate(ChatTemplateSource source) : source_(std::move(source)), tmpl_(compile(source_)) {}

std::string ChatTemplate::render(const ChatRequest& request) const {
    nlohmann::ordered_json ctx = nlohmann::ordered_json::object();
    nlohmann::ordered_json messages = template_messages(request.messages);
    if (!source_.bos_token.empty()) ctx["bos_token"] = source_.bos_token;
    if (!source_.eos_token.empty()) ctx["eos_token"] = source_.eos_token;
    ctx["messages"] = messages;
    if (!request.tools.is_null()) ctx["tools"] = request.tools;
    if (!request.documents.is_null()) ctx["documents"] = request.documents;
    ctx["add_generation_prompt"] = request.add_generation_prompt;
    for (auto it = request.template_kwargs.begin(); it != request.template_kwargs.end(); ++it)
        ctx[it.key()] = it.value();
    std::string out = tmpl_.render(ctx);
    if (!request.continue_final_message || messages.empty()) return out;

    // transformers' continue_final_message: cut after the final message's content so the model
    // continues it; trailing whitespace the template trimmed is not restored.
    const auto& last = messages.back();
    std::string final_text =
        last.contains("content") && last["content"].is_string() ? last["content"].get<std::string>() : "";
    auto is_ws = [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
    };
    size_t b = 0, e = final_text.size();
    while (b < e && is_ws(final_text[b])) ++b;
    while (e > b && is_ws(final_text[e - 1])) --e;
    std::string stripped = final_text.substr(b, e - b);
    std::string lstripped = final_text.substr(b);
    size_t loc = out.rfind(stripped);
    if (loc == std::string::npos)
        throw Error("continue_final_message: the final message does not appear in the rendered chat", 400,
                    "invalid_request_error", "continue_final_message");
    if (out.compare(loc, lstripped.size(), final_text) == 0) return out.substr(0, loc + lstripped.size());
    return out.substr(0, loc + stripped.size());
}

std::vector<int32_t> ChatTemplate::encode(const ChatRequest& request, const tok::Tokenizer& tokenizer) const {
    return tokenizer.encode(render(request), false);
}

}  // namespace hy::chat
