// See chat_conversation.h.
#include "api/chat_conversation.h"

#include "api/structured_output.h"

namespace hy::api {

ToolChoice read_tool_choice(const Json& body, bool has_tools) {
    ToolChoice tc;
    tc.mode = has_tools ? ToolChoiceMode::AUTO : ToolChoiceMode::NONE;
    auto it = body.find("tool_choice");
    if (it == body.end() || it->is_null()) return tc;
    if (it->is_string()) {
        const std::string s = it->get<std::string>();
        if (s == "none")
            tc.mode = ToolChoiceMode::NONE;
        else if (s == "auto")
            tc.mode = ToolChoiceMode::AUTO;
        else if (s == "required")
            tc.mode = ToolChoiceMode::REQUIRED;
        else
            throw bad_request("tool_choice must be none, auto, required or a named function", "tool_choice");
        return tc;
    }
    const Json* fn = it->is_object() ? opt_object(*it, "function") : nullptr;
    auto name = fn ? opt_string(*fn, "name") : std::nullopt;
    if (!name || name->empty())
        throw bad_request(
            "tool_choice must be none, auto, required or {\"type\": \"function\", \"function\": "
            "{\"name\": ...}}",
            "tool_choice");
    if (!has_tools) throw bad_request("When using `tool_choice`, `tools` must be set.", "tool_choice");
    tc.mode = ToolChoiceMode::NAMED;
    tc.function_name = *name;
    return tc;
}

void check_chat_messages(const Json& body) {
    auto msgs = body.find("messages");
    if (msgs == body.end() || msgs->is_null()) throw schema_error("messages", "Field required");
    if (!msgs->is_array()) throw schema_error("messages", "Input should be a valid list");
    if (msgs->empty()) throw bad_request("messages must contain at least one message.", "messages");
    for (const auto& m : *msgs) {
        if (!m.is_object()) throw schema_error("messages", "Input should be a valid dictionary");
        auto role = m.find("role");
        if (role == m.end() || !role->is_string()) throw schema_error("messages.role", "Field required");
        auto content = m.find("content");
        if (content != m.end() && !content->is_null() && !content->is_string() && !content->is_array())
            throw schema_error("messages.content", "Input should be a valid string or list of content parts");
    }
}

std::shared_ptr<const chat::ChatTemplate> read_request_chat_template(const Json& body,
                                                                     const ServingContext& ctx) {
    auto text = opt_string(body, "chat_template");
    if (!text) return nullptr;
    if (!ctx.trust_request_chat_template)
        throw bad_request(
            "Chat template is passed with request, but --trust-request-chat-template is not "
            "set. Refused request with untrusted chat template.",
            "chat_template");
    chat::ChatTemplateSource src;
    src.text = *text;
    src.origin = "request chat_template";
    src.bos_token = ctx.tokenizer->bos_token();
    src.eos_token = ctx.tokenizer->eos_token();
    try {
        return std::make_shared<chat::ChatTemplate>(std::move(src));
    } catch (const Error& e) {
        throw bad_request(e.what(), "chat_template");
    }
}

Json merged_template_kwargs(const Json& body, const ServingContext& ctx) {
    Json merged = ctx.default_chat_template_kwargs;
    if (const Json* kw = opt_object(body, "chat_template_kwargs"))
        for (const auto& [k, v] : kw->items()) merged[k] = v;
    return merged;
}

Conversation read_chat_conversation(Json body, const ServingContext& ctx) {
    Conversation c;
    c.sampling = read_sampling_fields(body, ctx, true);
    // Server --default-chat-template-kwargs under the request's chat_template_kwargs (spec §3.1).
    Json merged = merged_template_kwargs(body, ctx);
    // reasoning_effort reaches the template as a kwarg (spec §3.1) unless the kwargs set it; "none"
    // means include_reasoning false.
    auto effort = opt_string(body, "reasoning_effort");
    if (effort && !merged.contains("reasoning_effort")) merged["reasoning_effort"] = *effort;
    body["chat_template_kwargs"] = merged;
    c.chat = chat::ChatRequest::from_json(body);

    auto tools = body.find("tools");
    if (tools != body.end() && !tools->is_null()) {
        if (!tools->is_array()) throw schema_error("tools", "Input should be a valid list");
        for (const auto& t : *tools) {
            const Json& fn = t.is_object() && t.contains("function") ? t["function"] : t;
            if (!fn.is_object() || !fn.contains("name") || !fn["name"].is_string())
                throw schema_error("tools.function.name", "Field required");
        }
    }
    const bool has_tools = c.chat.tools.is_array() && !c.chat.tools.empty();
    c.tool_choice = read_tool_choice(body, has_tools);
    if (c.tool_choice.mode == ToolChoiceMode::NAMED) {
        bool found = false;
        for (const auto& t : c.chat.tools) {
            const Json& fn = t.contains("function") ? t["function"] : t;
            found = found || fn.value("name", "") == c.tool_choice.function_name;
        }
        if (!found)
            throw bad_request("Tool '" + c.tool_choice.function_name + "' has not been passed in `tools`.",
                              "tool_choice");
    }
    c.parallel_tool_calls = opt_bool(body, "parallel_tool_calls").value_or(true);
    c.include_reasoning = opt_bool(body, "include_reasoning").value_or(true) && effort.value_or("") != "none";
    if (auto b = opt_int(body, "thinking_token_budget")) {
        if (*b < -1)
            throw bad_request("thinking_token_budget must be -1 (unlimited) or a non-negative integer",
                              "thinking_token_budget");
        c.thinking_budget = *b;
    }
    c.format = read_output_format(body);
    return c;
}

}  // namespace hy::api
