#include "chat/chat_request.h"

#include "core/error.h"

namespace hy::chat {
namespace {

Error bad(const std::string& param, const std::string& what) {
    return Error(param + ": " + what, 400, "invalid_request_error", param);
}

bool get_bool(const nlohmann::ordered_json& body, const char* key, bool def) {
    auto it = body.find(key);
    if (it == body.end() || it->is_null()) return def;
    if (!it->is_boolean()) throw bad(key, "must be a boolean");
    return it->get<bool>();
}

// The text of one content part (spec/api.md §3.2), as vLLM's chat parser reads it: text-like parts by
// their type's field. Media parts need a multimodal model, and an unknown type is refused rather than
// dropped, since the model would answer without it.
std::string part_text(const nlohmann::ordered_json& part, const std::string& where) {
    if (!part.is_object()) throw bad(where, "content parts must be objects");
    auto type_it = part.find("type");
    if (type_it == part.end() || !type_it->is_string()) throw bad(where, "content part without a type");
    const std::string type = type_it->get<std::string>();
    const char* field = type == "text" || type == "input_text" || type == "output_text" ? "text"
                        : type == "refusal"                                             ? "refusal"
                        : type == "thinking"                                            ? "thinking"
                                                                                        : nullptr;
    if (!field) {
        static const char* const media[] = {"image_url", "input_image", "image_embeds",
                                            "image_pil", "audio_url",   "input_audio",
                                            "video_url", "file",        "input_file"};
        for (const char* m : media)
            if (type == m)
                throw bad(where, "'" + type + "' parts are not supported by this model (it reads text only)");
        throw bad(where + ".type", "unknown content part type '" + type + "'");
    }
    auto t = part.find(field);
    if (t == part.end() || !t->is_string())
        throw bad(where + "." + field, "a '" + type + "' part needs a string '" + field + "'");
    return t->get<std::string>();
}

// Text of a content value: a string, null, or a list of parts whose texts are joined with "\n".
nlohmann::ordered_json flatten_content(const nlohmann::ordered_json& content, const std::string& where) {
    if (!content.is_array()) return content;
    std::string text;
    for (size_t i = 0; i < content.size(); ++i) {
        const auto& part = content[i];
        if (i > 0) text += "\n";
        text += part.is_string() ? part.get<std::string>()
                                 : part_text(part, where + "[" + std::to_string(i) + "]");
    }
    return text;
}

// Tool-call arguments reach the template as objects (the Nemotron template iterates them): a JSON
// string is parsed, an empty one is {}, and one that is not JSON is a 400 as in vLLM, since the
// template would otherwise render the call without its arguments.
void parse_tool_call_arguments(nlohmann::ordered_json& calls, const std::string& where) {
    for (size_t j = 0; j < calls.size(); ++j) {
        auto& call = calls[j];
        if (!call.is_object() || !call.contains("function") || !call["function"].is_object()) continue;
        auto& fn = call["function"];
        auto args = fn.find("arguments");
        if (args == fn.end() || args->is_null() || (args->is_string() && args->get<std::string>().empty())) {
            fn["arguments"] = nlohmann::ordered_json::object();
            continue;
        }
        if (!args->is_string()) continue;  // already an object (or another JSON value)
        auto parsed = nlohmann::ordered_json::parse(args->get<std::string>(), nullptr, false);
        if (parsed.is_discarded())
            throw bad(where + "[" + std::to_string(j) + "].function.arguments", "is not valid JSON");
        *args = std::move(parsed);
    }
}

}  // namespace

nlohmann::ordered_json template_messages(const nlohmann::ordered_json& messages) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (size_t i = 0; i < messages.size(); ++i) {
        const std::string where = "messages[" + std::to_string(i) + "]";
        nlohmann::ordered_json m = messages[i];
        if (!m.is_object()) throw bad(where, "must be an object");
        auto role = m.find("role");
        if (role == m.end() || !role->is_string()) throw bad(where + ".role", "must be a string");
        if (m.contains("content")) m["content"] = flatten_content(m["content"], where + ".content");
        if (m.contains("reasoning") && !m.contains("reasoning_content"))
            m["reasoning_content"] = m["reasoning"];
        if (m.contains("tool_calls") && m["tool_calls"].is_array()) {
            if (m["tool_calls"].empty())
                m.erase("tool_calls");  // spec/api.md §3.2: an empty list is dropped
            else
                parse_tool_call_arguments(m["tool_calls"], where + ".tool_calls");
        }
        out.push_back(std::move(m));
    }
    return out;
}

ChatRequest ChatRequest::from_json(const nlohmann::ordered_json& body) {
    if (!body.is_object()) throw bad("body", "the request must be a JSON object");
    ChatRequest r;
    auto msgs = body.find("messages");
    if (msgs == body.end() || !msgs->is_array()) throw bad("messages", "must be an array of messages");
    r.messages = *msgs;
    auto tools = body.find("tools");
    if (tools != body.end() && !tools->is_null()) {
        if (!tools->is_array()) throw bad("tools", "must be an array");
        r.tools = *tools;
    }
    auto docs = body.find("documents");
    if (docs != body.end() && !docs->is_null()) {
        if (!docs->is_array()) throw bad("documents", "must be a list of objects");
        for (const auto& d : *docs)
            if (!d.is_object()) throw bad("documents", "must be a list of objects");
        r.documents = *docs;
    }
    r.continue_final_message = get_bool(body, "continue_final_message", false);
    r.add_generation_prompt = get_bool(body, "add_generation_prompt", !r.continue_final_message);
    if (r.continue_final_message && r.add_generation_prompt)
        throw bad("continue_final_message", "cannot be combined with add_generation_prompt");
    auto kw = body.find("chat_template_kwargs");
    if (kw != body.end() && !kw->is_null()) {
        if (!kw->is_object()) throw bad("chat_template_kwargs", "must be an object");
        r.template_kwargs = *kw;
    }
    return r;
}

}  // namespace hy::chat
