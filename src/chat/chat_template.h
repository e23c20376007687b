// A model's chat template and the prompt it renders for a chat request (spec/model.md 6.3/6.4).
// The template text comes from tokenizer_config.json ("chat_template": a string, or a list of
// {name, template} where "default" is used), a chat_template.jinja file next to it, or a GGUF's
// tokenizer.chat_template string (read by the caller, so chat/ does not depend on model/).
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chat/chat_request.h"
#include "chat/jinja/template.h"

namespace hy::tok {
class Tokenizer;
}

namespace hy::chat {

struct ChatTemplateSource {
    std::string text;       // the Jinja source
    std::string bos_token;  // "" when unknown
    std::string eos_token;
    std::string origin;  // file the template came from, for messages
};

// Whole file as bytes; throws hy::Error naming the file when it cannot be read.
std::string read_file_text(const std::string& path);

// The template named "default" (or the only/first one) from a tokenizer_config "chat_template" value.
std::string select_template(const nlohmann::ordered_json& value, const std::string& where);
// bos_token / eos_token of a tokenizer_config.json: a string or an {"content": ...} object.
std::string special_token_text(const nlohmann::ordered_json& config, const char* key);
// A model directory: chat_template.jinja wins over tokenizer_config.json's chat_template.
ChatTemplateSource load_template_from_dir(const std::string& dir);

class ChatTemplate {
  public:
    explicit ChatTemplate(ChatTemplateSource source);

    // The prompt text, exactly as transformers' apply_chat_template(tokenize=False) renders it.
    std::string render(const ChatRequest& request) const;
    // The prompt's token ids (special-token text matched as single tokens, no BOS/EOS added, as
    // apply_chat_template(tokenize=True) does).
    std::vector<int32_t> encode(const ChatRequest& request, const tok::Tokenizer& tokenizer) const;
    const ChatTemplateSource& source() const { return source_; }

  private:
    ChatTemplateSource source_;
    jinja::Template tmpl_;
};

}  // namespace hy::chat
