#include "api/responses_request.h"

#include <spdlog/spdlog.h>

#include "api/function_tool.h"
#include "api/openai_format.h"

namespace hy::api {

namespace {

Error media_error(const std::string& where) {
    return bad_request(where + ": images and files are not supported by this model (it reads text only)",
                       where);
}

std::string item_type(const Json& item) {
    if (auto t = opt_string(item, "type")) return *t;
    return item.contains("role") ? "message" : "";  // EasyInputMessage: {role, content} without a type
}

// Message content: a string, or input_text/output_text/text/refusal parts joined with "\n".
std::string content_text(const Json& content, const std::string& where) {
    if (content.is_string()) return content.get<std::string>();
    if (content.is_null()) return {};
    if (!content.is_array())
        throw schema_error(where, "Input should be a valid string or list of content parts");
    std::string out;
    bool first = true;
    for (size_t i = 0; i < content.size(); ++i) {
        const Json& p = content[i];
        const std::string w = where + "[" + std::to_string(i) + "]";
        if (!p.is_object()) throw schema_error(w, "Input should be a valid dictionary");
        const std::string type = opt_string(p, "type").value_or("");
        std::string text;
        if (type == "input_text" || type == "output_text" || type == "text") {
            auto t = opt_string(p, "text");
            if (!t) throw schema_error(w + ".text", "Field required");
            text = *t;
        } else if (type == "refusal") {
            text = opt_string(p, "refusal").value_or("");
        } else if (type == "input_image" || type == "input_file" || type == "input_audio") {
            throw media_error(w);
        } else {
            throw bad_request(w + ": content part type '" + type + "' is not supported", "input");
        }
        out += (first ? "" : "\n") + text;
        first = false;
    }
    return out;
}

// The assistant message the next output item attaches to: the last message when it is an assistant
// turn still open for more items (reasoning, text, calls of one turn arrive as separate items).
Json* open_assistant(Json& msgs, bool for_text) {
    if (msgs.empty()) return nullptr;
    Json& last = msgs.back();
    if (last.value("role", "") != "assistant") return nullptr;
    if (for_text && (!last["content"].is_null() || last.contains("tool_calls"))) return nullptr;
    return &last;
}

void convert_item(const Json& item, size_t idx, Json& msgs) {
    const std::string where = "input[" + std::to_string(idx) + "]";
    if (!item.is_object()) throw schema_error(where, "Input should be a valid dictionary");
    const std::string type = item_type(item);
    if (type == "message") {
        auto role = opt_string(item, "role");
        if (!role) throw schema_error(where + ".role", "Field required");
        if (*role != "user" && *role != "assistant" && *role != "system" && *role != "developer")
            throw bad_request(where + ".role: must be user, assistant, system or developer", "input");
        auto c = item.find("content");
        if (c == item.end()) throw schema_error(where + ".content", "Field required");
        std::string text = content_text(*c, where + ".content");
        if (*role == "assistant") {
            if (Json* open = open_assistant(msgs, true)) {
                (*open)["content"] = text;
                return;
            }
        }
        msgs.push_back({{"role", *role}, {"content", text}});
    } else if (type == "function_call") {
        auto call_id = opt_string(item, "call_id");
        auto name = opt_string(item, "name");
        auto args = opt_string(item, "arguments");
        if (!call_id) throw schema_error(where + ".call_id", "Field required");
        if (!name) throw schema_error(where + ".name", "Field required");
        if (!args) throw schema_error(where + ".arguments", "Field required");
        Json call = {
            {"id", *call_id}, {"type", "function"}, {"function", {{"name", *name}, {"arguments", *args}}}};
        Json* open = open_assistant(msgs, false);
        if (!open) {
            msgs.push_back({{"role", "assistant"}, {"content", nullptr}});
            open = &msgs.back();
        }
        (*open)["tool_calls"].push_back(std::move(call));
    } else if (type == "function_call_output") {
        auto call_id = opt_string(item, "call_id");
        if (!call_id) throw schema_error(where + ".call_id", "Field required");
        auto out = item.find("output");
        if (out == item.end()) throw schema_error(where + ".output", "Field required");
        msgs.push_back({{"role", "tool"},
                        {"tool_call_id", *call_id},
                        {"content", content_text(*out, where + ".output")}});
    } else if (type == "reasoning") {
        if (auto enc = item.find("encrypted_content"); enc != item.end() && !enc->is_null())
            throw bad_request(where + ".encrypted_content: encrypted reasoning is not supported", "input");
        std::string text;
        for (const char* key : {"content", "summary"}) {
            auto parts = item.find(key);
            if (parts == item.end() || !parts->is_array()) continue;
            for (const auto& p : *parts)
                if (p.is_object())
                    if (auto t = opt_string(p, "text")) text += (text.empty() ? "" : "\n") + *t;
            if (!text.empty()) break;  // the full reasoning text when present, else its summary
        }
        msgs.push_back({{"role", "assistant"}, {"content", nullptr}, {"reasoning", text}});
    } else if (type.empty()) {
        throw schema_error(where + ".type", "Field required");
    } else {
        // Calls of hosted or custom tools (web_search_call, custom_tool_call, local_shell_call, their
        // outputs), item_reference, and types newer than this server: agent clients replay histories
        // made elsewhere, and failing the whole turn would stop them (spec/lessons.md 23).
        SPDLOG_WARN("/v1/responses: {} of type '{}' cannot be rendered here and was left out", where, type);
    }
}

// Flat function tools → OpenAI nested tools; other tool types (web_search, file_search, mcp …) cannot
// run here and are left out with a warning (issue 7).
std::optional<Json> responses_tool(const Json& t, const std::string& where) {
    const std::string type = opt_string(t, "type").value_or("");
    if (type == "function") return function_tool(t, where, "parameters");
    SPDLOG_WARN("/v1/responses: tool type '{}' is not supported here and was ignored", type);
    return std::nullopt;
}

void read_tool_choice(const Json& body, Conversation& conv, bool has_tools) {
    conv.tool_choice.mode = has_tools ? ToolChoiceMode::AUTO : ToolChoiceMode::NONE;
    auto tc = body.find("tool_choice");
    if (tc == body.end() || tc->is_null()) return;
    if (tc->is_string()) {
        const std::string s = tc->get<std::string>();
        if (s == "none")
            conv.tool_choice.mode = ToolChoiceMode::NONE;
        else if (s == "auto")
            conv.tool_choice.mode = has_tools ? ToolChoiceMode::AUTO : ToolChoiceMode::NONE;
        else if (s == "required")
            conv.tool_choice.mode = has_tools ? ToolChoiceMode::REQUIRED : ToolChoiceMode::NONE;
        else
            throw bad_request("tool_choice must be none, auto, required or a function, got '" + s + "'",
                              "tool_choice");
        return;
    }
    if (!tc->is_object()) throw schema_error("tool_choice", "Input should be a valid string or object");
    const std::string type = opt_string(*tc, "type").value_or("");
    if (type == "allowed_tools") {  // {mode: auto|required, tools}: the mode over the request's tools
        const std::string mode = opt_string(*tc, "mode").value_or("auto");
        if (mode != "auto" && mode != "required")
            throw bad_request("tool_choice.mode must be auto or required, got '" + mode + "'", "tool_choice");
        if (has_tools)
            conv.tool_choice.mode = mode == "required" ? ToolChoiceMode::REQUIRED : ToolChoiceMode::AUTO;
        return;
    }
    if (type != "function") {  // a hosted or custom tool, which is left out here (responses_tool)
        SPDLOG_WARN("/v1/responses: tool_choice of type '{}' names a tool that is not run here; auto instead",
                    type);
        return;
    }
    auto name = opt_string(*tc, "name");
    if (!name || name->empty())
        throw bad_request("tool_choice: a function choice needs a name", "tool_choice");
    conv.tool_choice.mode = ToolChoiceMode::NAMED;
    conv.tool_choice.function_name = *name;
}

// text.format: text | json_object | {type: json_schema, name, schema, strict?} (§5.1).
void read_text_format(const Json& body, Conversation& conv) {
    const Json* text = opt_object(body, "text");
    if (!text) return;
    const Json* fmt = opt_object(*text, "format");
    if (!fmt) return;
    const std::string type = opt_string(*fmt, "type").value_or("text");
    if (type == "text") return;
    if (type == "json_object") {
        conv.format.kind = OutputFormat::Kind::JSON_OBJECT;
    } else if (type == "json_schema") {
        const Json* schema = opt_object(*fmt, "schema");
        if (!schema) throw bad_request("text.format.schema is required for json_schema", "text.format");
        conv.format.kind = OutputFormat::Kind::JSON_SCHEMA;
        conv.format.schema = *schema;
    } else {
        throw bad_request("text.format.type must be text, json_object or json_schema, got '" + type + "'",
                          "text.format");
    }
}

}  // namespace

void apply_reasoning_effort(const std::string& effort, Conversation& conv) {
    if (!conv.chat.template_kwargs.contains("reasoning_effort"))
        conv.chat.template_kwargs["reasoning_effort"] = effort;
    if (effort == "none") {
        conv.chat.template_kwargs["enable_thinking"] = false;
        conv.include_reasoning = false;
    } else if (effort == "minimal") {
        conv.thinking_budget = 256;
    } else if (effort == "low") {
        conv.thinking_budget = 1024;
    } else if (effort == "medium") {
        conv.thinking_budget = 8192;
    } else if (effort != "high" && effort != "xhigh") {
        throw bad_request(
            "reasoning.effort must be none, minimal, low, medium, high or xhigh, got '" + effort + "'",
            "reasoning.effort");
    }
}

Json output_messages(const Json& output) {
    Json msgs = Json::array();
    if (!output.is_array()) return msgs;
    for (size_t i = 0; i < output.size(); ++i) {
        const Json& it = output[i];
        if (!it.is_object()) continue;
        const std::string type = opt_string(it, "type").value_or("");
        if (type == "message" || type == "function_call") convert_item(it, i, msgs);
    }
    return msgs;
}

ResponsesRequest responses_request(const Json& body, const ServingContext& ctx,
                                   const Json& previous_history) {
    if (!body.is_object()) throw schema_error("body", "Input should be a valid dictionary");
    check_model(body, ctx);
    ResponsesRequest r;
    Conversation& conv = r.conv;

    auto input = body.find("input");
    if (input == body.end() || input->is_null()) throw schema_error("input", "Field required");
    r.history = previous_history;
    if (input->is_string()) {
        r.history.push_back({{"role", "user"}, {"content", input->get<std::string>()}});
    } else if (input->is_array()) {
        for (size_t i = 0; i < input->size(); ++i) convert_item((*input)[i], i, r.history);
    } else {
        throw schema_error("input", "Input should be a valid string or list of items");
    }
    if (r.history.empty()) throw bad_request("input must contain at least one item", "input");
    // A trailing assistant message or reasoning item still in progress (or cut off) is continued rather
    // than answered (§5.1): the template renders it open, without a new generation prompt.
    if (input->is_array() && !input->empty() && input->back().is_object()) {
        const Json& last = input->back();
        const std::string status = opt_string(last, "status").value_or("");
        const std::string type = item_type(last);
        const bool assistant =
            type == "reasoning" || (type == "message" && opt_string(last, "role") == "assistant");
        if (assistant && (status == "in_progress" || status == "incomplete")) {
            conv.chat.continue_final_message = true;
            conv.chat.add_generation_prompt = false;
        }
    }
    if (body.contains("prompt") && !body["prompt"].is_null())
        throw bad_request("prompt templates are not supported", "prompt");
    if (opt_bool(body, "background").value_or(false))
        throw bad_request("background responses are not supported", "background");

    auto instructions = opt_string(body, "instructions");
    conv.chat.messages = Json::array();
    if (instructions) conv.chat.messages.push_back({{"role", "system"}, {"content", *instructions}});
    for (const auto& m : r.history) conv.chat.messages.push_back(m);

    Json tools_echo = Json::array();
    bool has_tools = false;
    if (auto tools = body.find("tools"); tools != body.end() && !tools->is_null()) {
        Json converted = convert_tools(*tools, responses_tool);
        has_tools = !converted.empty();
        for (const auto& t : *tools)
            if (opt_string(t, "type").value_or("") == "function") tools_echo.push_back(t);
        if (has_tools) conv.chat.tools = std::move(converted);
    }
    read_tool_choice(body, conv, has_tools);
    conv.parallel_tool_calls = opt_bool(body, "parallel_tool_calls").value_or(true);
    conv.chat.template_kwargs = ctx.default_chat_template_kwargs;
    std::optional<std::string> effort;
    if (const Json* reasoning = opt_object(body, "reasoning")) {
        effort = opt_string(*reasoning, "effort");
        if (effort) apply_reasoning_effort(*effort, conv);
    }
    read_text_format(body, conv);

    // Sampling through the OpenAI reader: same ranges and messages as chat completions.
    Json oai = Json::object();
    if (auto mt = opt_int(body, "max_output_tokens")) {
        if (*mt < 1)
            throw bad_request("max_output_tokens must be at least 1, got " + std::to_string(*mt),
                              "max_output_tokens");
        oai["max_tokens"] = *mt;
    }
    for (const char* k :
         {"temperature", "top_p", "top_k", "repetition_penalty", "seed", "stop", "ignore_eos", "stream"})
        if (auto it = body.find(k); it != body.end()) oai[k] = *it;
    // §5.1: include "message.output_text.logprobs" turns logprobs on, with top_logprobs alternatives.
    const std::optional<int64_t> top_logprobs = opt_int(body, "top_logprobs");
    for (const std::string& inc : opt_string_list(body, "include"))
        if (inc == "message.output_text.logprobs") {
            oai["logprobs"] = true;
            oai["top_logprobs"] = top_logprobs.value_or(0);
        }
    conv.sampling = read_sampling_fields(oai, ctx, true);
    conv.clamp_max_tokens = true;  // §5.1: min(max_output_tokens, remaining context)
    const std::string truncation = opt_string(body, "truncation").value_or("disabled");
    if (truncation != "auto" && truncation != "disabled")
        throw bad_request("truncation must be auto or disabled, got '" + truncation + "'", "truncation");
    conv.drop_oldest_turns = truncation == "auto";  // §5.1: auto = cut the prompt to fit

    r.store = opt_bool(body, "store").value_or(true);
    r.previous_response_id = opt_string(body, "previous_response_id");
    const Json* metadata = opt_object(body, "metadata");
    const Json* text = opt_object(body, "text");
    Json tool_choice =
        body.contains("tool_choice") && !body["tool_choice"].is_null() ? body["tool_choice"] : Json("auto");
    r.echo = {
        {"instructions", instructions ? Json(*instructions) : Json(nullptr)},
        {"max_tool_calls", body.contains("max_tool_calls") ? body["max_tool_calls"] : Json(nullptr)},
        {"parallel_tool_calls", conv.parallel_tool_calls},
        {"previous_response_id", r.previous_response_id ? Json(*r.previous_response_id) : Json(nullptr)},
        {"reasoning", {{"effort", effort ? Json(*effort) : Json(nullptr)}, {"summary", nullptr}}},
        {"service_tier", "auto"},
        {"text", text && text->contains("format") ? *text : Json{{"format", {{"type", "text"}}}}},
        {"tool_choice", tool_choice},
        {"tools", tools_echo},
        {"top_logprobs", top_logprobs.value_or(0)},
        {"truncation", truncation},
        {"user", opt_string(body, "user") ? Json(*opt_string(body, "user")) : Json(nullptr)},
        {"metadata", metadata ? *metadata : Json::object()}};
    return r;
}

}  // namespace hy::api
