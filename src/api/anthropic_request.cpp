#include "api/anthropic_request.h"

#include <spdlog/spdlog.h>

#include "api/function_tool.h"
#include "api/openai_format.h"

namespace hy::api {

namespace {

Error media_error(const std::string& where) {
    return bad_request(where + ": images not supported by this model (it reads text only)", where);
}

const Json& require_array(const Json& body, const char* key) {
    auto it = body.find(key);
    if (it == body.end() || it->is_null()) throw schema_error(key, "Field required");
    if (!it->is_array()) throw schema_error(key, "Input should be a valid list");
    return *it;
}

std::string block_type(const Json& block, const std::string& where) {
    if (!block.is_object()) throw schema_error(where, "Input should be a valid dictionary");
    auto t = opt_string(block, "type");
    if (!t) throw schema_error(where + ".type", "Field required");
    return *t;
}

std::string block_text(const Json& block, const std::string& where) {
    auto t = opt_string(block, "text");
    if (!t) throw schema_error(where + ".text", "Field required");
    return *t;
}

// system: a string or text blocks, concatenated without a separator (vLLM); Claude Code's billing
// header block is not prompt text and is dropped (§6.1).
std::string system_text(const Json& system) {
    if (system.is_string()) return system.get<std::string>();
    if (!system.is_array())
        throw schema_error("system", "Input should be a valid string or list of text blocks");
    std::string out;
    for (size_t i = 0; i < system.size(); ++i) {
        const std::string where = "system[" + std::to_string(i) + "]";
        if (block_type(system[i], where) != "text")
            throw bad_request(where + ": only text blocks are allowed", "system");
        std::string t = block_text(system[i], where);
        if (t.rfind("x-anthropic-billing-header", 0) == 0) continue;
        out += t;
    }
    return out;
}

// tool_result content: a string or text blocks joined with "\n"; is_error marks the text for the
// model, which has no other way to see it.
std::string tool_result_text(const Json& block, const std::string& where) {
    std::string text;
    auto c = block.find("content");
    if (c != block.end() && c->is_string()) {
        text = c->get<std::string>();
    } else if (c != block.end() && c->is_array()) {
        bool first = true;
        for (size_t i = 0; i < c->size(); ++i) {
            const std::string w = where + ".content[" + std::to_string(i) + "]";
            const std::string type = block_type((*c)[i], w);
            if (type == "image" || type == "document") throw media_error(w);
            if (type != "text") throw bad_request(w + ": tool_result content blocks must be text", w);
            text += (first ? "" : "\n") + block_text((*c)[i], w);
            first = false;
        }
    } else if (c != block.end() && !c->is_null()) {
        throw schema_error(where + ".content", "Input should be a valid string or list of blocks");
    }
    if (opt_bool(block, "is_error").value_or(false)) text = "Error: " + text;
    return text;
}

// One Anthropic message → one or more OpenAI messages: a user turn's tool_result blocks become
// `tool` messages (in order, around its text), an assistant turn's thinking becomes `reasoning` and
// its tool_use blocks `tool_calls`.
void convert_message(const Json& m, size_t idx, Json& out) {
    const std::string where = "messages[" + std::to_string(idx) + "]";
    if (!m.is_object()) throw schema_error(where, "Input should be a valid dictionary");
    auto role = opt_string(m, "role");
    if (!role) throw schema_error(where + ".role", "Field required");
    if (*role != "user" && *role != "assistant")
        throw bad_request(where + ".role: must be 'user' or 'assistant', got '" + *role + "'", "messages");
    auto content = m.find("content");
    if (content == m.end() || content->is_null()) throw schema_error(where + ".content", "Field required");
    if (content->is_string()) {
        out.push_back({{"role", *role}, {"content", content->get<std::string>()}});
        return;
    }
    if (!content->is_array())
        throw schema_error(where + ".content", "Input should be a valid string or list of blocks");

    std::string text, reasoning;
    bool has_text = false;
    Json calls = Json::array();
    auto flush_user_text = [&] {
        if (has_text) out.push_back({{"role", "user"}, {"content", text}});
        text.clear();
        has_text = false;
    };
    for (size_t i = 0; i < content->size(); ++i) {
        const Json& b = (*content)[i];
        const std::string w = where + ".content[" + std::to_string(i) + "]";
        const std::string type = block_type(b, w);
        if (type == "text") {
            text += (has_text ? "\n" : "") + block_text(b, w);
            has_text = true;
        } else if (type == "image" || type == "document") {
            throw media_error(w);
        } else if (type == "tool_result" && *role == "user") {
            auto id = opt_string(b, "tool_use_id");
            if (!id) throw schema_error(w + ".tool_use_id", "Field required");
            flush_user_text();
            out.push_back({{"role", "tool"}, {"tool_call_id", *id}, {"content", tool_result_text(b, w)}});
        } else if (type == "tool_use" && *role == "assistant") {
            auto id = opt_string(b, "id");
            auto name = opt_string(b, "name");
            if (!id) throw schema_error(w + ".id", "Field required");
            if (!name) throw schema_error(w + ".name", "Field required");
            auto input = b.find("input");
            const Json args = input == b.end() || input->is_null() ? Json::object() : *input;
            calls.push_back({{"id", *id},
                             {"type", "function"},
                             {"function", {{"name", *name}, {"arguments", dump(args)}}}});
        } else if (type == "thinking" && *role == "assistant") {
            // Earlier thinking goes back as the turn's reasoning; the signature is not checked.
            reasoning += opt_string(b, "thinking").value_or("");
        } else if (type == "redacted_thinking") {
            // Encrypted thinking from another model: nothing this one can read.
        } else {
            throw bad_request(
                w + ": content block type '" + type + "' is not supported in a " + *role + " message",
                "messages");
        }
    }
    if (*role == "user") return flush_user_text();
    Json msg = {{"role", "assistant"}, {"content", has_text ? Json(text) : Json(nullptr)}};
    if (!reasoning.empty()) msg["reasoning"] = reasoning;
    if (!calls.empty()) msg["tool_calls"] = calls;
    out.push_back(std::move(msg));
}

// tools: custom tools become OpenAI function tools; input_schema.type defaults to "object" (§6.1).
// Server tools (web search, code execution …) cannot run here and are left out with a warning.
std::optional<Json> anthropic_tool(const Json& t, const std::string& where) {
    const std::string type = opt_string(t, "type").value_or("custom");
    auto schema = t.find("input_schema");
    if (type != "custom" && (schema == t.end() || schema->is_null())) {
        SPDLOG_WARN("/v1/messages: tool '{}' of type '{}' is not supported here and was ignored",
                    opt_string(t, "name").value_or(""), type);
        return std::nullopt;
    }
    if (schema == t.end() || schema->is_null()) throw schema_error(where + ".input_schema", "Field required");
    Json tool = function_tool(t, where, "input_schema");
    Json& params = tool["function"]["parameters"];
    if (!params.contains("type")) params["type"] = "object";
    return tool;
}

void read_tool_choice(const Json& body, Conversation& conv, bool has_tools) {
    conv.tool_choice.mode = has_tools ? ToolChoiceMode::AUTO : ToolChoiceMode::NONE;
    const Json* tc = opt_object(body, "tool_choice");
    if (!tc) return;
    const std::string type = opt_string(*tc, "type").value_or("auto");
    if (type == "auto") {
        conv.tool_choice.mode = has_tools ? ToolChoiceMode::AUTO : ToolChoiceMode::NONE;
    } else if (type == "any") {
        if (!has_tools) throw bad_request("tool_choice 'any' requires tools", "tool_choice");
        conv.tool_choice.mode = ToolChoiceMode::REQUIRED;
    } else if (type == "tool") {
        auto name = opt_string(*tc, "name");
        if (!name || name->empty())
            throw bad_request("tool_choice of type 'tool' requires a name", "tool_choice");
        conv.tool_choice.mode = ToolChoiceMode::NAMED;
        conv.tool_choice.function_name = *name;
    } else if (type == "none") {
        conv.tool_choice.mode = ToolChoiceMode::NONE;
    } else {
        throw bad_request("tool_choice.type must be one of auto, any, tool, none; got '" + type + "'",
                          "tool_choice");
    }
    // The real API honours this (vLLM ignores it, §6.1): at most one tool_use block.
    if (opt_bool(*tc, "disable_parallel_tool_use").value_or(false)) conv.parallel_tool_calls = false;
}

// thinking {type: enabled, budget_tokens} → thinking on with that budget; {type: disabled} → off
// (vLLM ignores the field; this is its suggested mapping, §6.1). Absent: the template's default.
void read_thinking(const Json& body, Conversation& conv) {
    const Json* th = opt_object(body, "thinking");
    if (!th) return;
    const std::string type = opt_string(*th, "type").value_or("");
    if (type == "enabled") {
        conv.chat.template_kwargs["enable_thinking"] = true;
        auto budget = opt_int(*th, "budget_tokens");
        if (budget && *budget < 0)
            throw bad_request("thinking.budget_tokens must be non-negative", "thinking.budget_tokens");
        if (budget) conv.thinking_budget = *budget;
    } else if (type == "disabled") {
        conv.chat.template_kwargs["enable_thinking"] = false;
    } else if (type == "adaptive") {
        conv.chat.template_kwargs["enable_thinking"] = true;
    } else {
        throw bad_request("thinking.type must be 'enabled' or 'disabled', got '" + type + "'",
                          "thinking.type");
    }
}

}  // namespace

Conversation anthropic_conversation(const Json& body, const ServingContext& ctx, bool count_only) {
    if (!body.is_object()) throw schema_error("body", "Input should be a valid dictionary");
    check_model(body, ctx);
    Conversation conv;
    Json msgs = Json::array();
    if (auto sys = body.find("system"); sys != body.end() && !sys->is_null())
        msgs.push_back({{"role", "system"}, {"content", system_text(*sys)}});
    const Json& in = require_array(body, "messages");
    if (in.empty()) throw bad_request("messages: at least one message is required", "messages");
    for (size_t i = 0; i < in.size(); ++i) convert_message(in[i], i, msgs);
    conv.chat.messages = std::move(msgs);

    bool has_tools = false;
    if (auto tools = body.find("tools"); tools != body.end() && !tools->is_null()) {
        Json converted = convert_tools(*tools, anthropic_tool);
        has_tools = !converted.empty();
        if (has_tools) conv.chat.tools = std::move(converted);
    }
    read_tool_choice(body, conv, has_tools);
    conv.chat.template_kwargs = ctx.default_chat_template_kwargs;
    read_thinking(body, conv);

    // Sampling goes through the OpenAI field reader so ranges and messages match chat completions.
    Json oai = Json::object();
    if (!count_only) {
        auto mt = opt_int(body, "max_tokens");
        if (!mt) throw schema_error("max_tokens", "Field required");
        if (*mt < 1)
            throw bad_request("max_tokens: must be at least 1, got " + std::to_string(*mt), "max_tokens");
        oai["max_tokens"] = *mt;
        for (const char* k : {"temperature", "top_p", "top_k", "stream"})
            if (auto it = body.find(k); it != body.end()) oai[k] = *it;
        auto stops = opt_string_list(body, "stop_sequences");
        if (!stops.empty()) oai["stop"] = stops;
    }
    conv.sampling = read_sampling_fields(oai, ctx, true);
    conv.clamp_max_tokens = true;  // agent CLIs ask for far more than the context holds (issue 7)
    return conv;
}

int64_t rendered_prompt_tokens(const ServingContext& ctx, const Conversation& conv) {
    if (!ctx.chat_template) throw bad_request("this model has no chat template");
    return static_cast<int64_t>(ctx.chat_template->encode(conv.chat, *ctx.tokenizer).size());
}

}  // namespace hy::api
