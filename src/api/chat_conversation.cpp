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

Conversation read_chat_conversation(Json body, const ServingContext& ctx) {
    Conversation c;
    c.sampling = read_sampling_fields(body, ctx, true);
    // Server --default-chat-template-kwargs under the request's chat_template_kwargs (spec §3.1).
    Json merged = ctx.default_chat_template_kwargs;
    if (const Json* kw = opt_object(body, "chat_template_kwargs"))
        for (const auto& [k, v] : kw->items()) merged[k] = v;
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
