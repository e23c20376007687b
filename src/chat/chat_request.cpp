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

// Text of a content value: a string, null, or a list of parts of which the text parts count.
nlohmann::ordered_json flatten_content(const nlohmann::ordered_json& content, const std::string& where) {
    if (!content.is_array()) return content;
    std::string text;
    bool first = true;
    for (const auto& part : content) {
        if (part.is_string()) {
            text += (first ? "" : "\n") + part.get<std::string>();
            first = false;
            continue;
        }
        if (!part.is_object()) throw bad(where, "content parts must be objects");
        auto type = part.find("type");
        if (type == part.end() || !type->is_string()) throw bad(where, "content part without a type");
        if (*type != "text") continue;
        auto t = part.find("text");
        if (t == part.end() || !t->is_string()) throw bad(where, "text part without a string text");
        text += (first ? "" : "\n") + t->get<std::string>();
        first = false;
    }
    return text;
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
            for (auto& call : m["tool_calls"]) {
                if (!call.is_object() || !call.contains("function") || !call["function"].is_object())
                    continue;
                auto& fn = call["function"];
                if (!fn.contains("arguments") || !fn["arguments"].is_string()) continue;
                auto parsed =
                    nlohmann::ordered_json::parse(fn["arguments"].get<std::string>(), nullptr, false);
                if (!parsed.is_discarded()) fn["arguments"] = std::move(parsed);
            }
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
