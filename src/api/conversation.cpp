// See conversation.h. prepare_conversation renders and validates once; run_conversation runs the
// choices through run_generation with the reasoning/tool markers kept in the text, feeds each
// choice's text to its OutputParser and hands the deltas on as ChoiceEvents.
#include "api/conversation.h"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <mutex>

#include "api/constraints/reasoning_constraint.h"
#include "api/json_fields.h"
#include "api/structured_output.h"
#include "api/tool_call_output.h"
#include "api/turn_boundary.h"
#include "chat/output/output_parser.h"

namespace hy::api {

struct PreparedConversation {
    Conversation conv;
    std::vector<int32_t> prompt;
    int64_t turn_start = -1;  // tokens before the generation prompt (api/turn_boundary.h)
    chat::OutputParserOptions parser;
    chat::ReasoningPhase initial = chat::ReasoningPhase::IN_CONTENT;
    ReasoningMarkers markers;
    std::vector<int32_t> keep_special_ids;
    ConstraintSpec constraint;  // grammar / budget; used when either is set
    bool constrained = false;
};

int64_t prompt_token_count(const PreparedConversation& c) {
    return static_cast<int64_t>(c.prompt.size());
}
const SamplingFields& sampling_of(const PreparedConversation& c) {
    return c.conv.sampling;
}
const std::vector<int32_t>& prompt_ids_of(const PreparedConversation& c) {
    return c.prompt;
}
const ToolChoice& tool_choice_of(const PreparedConversation& c) {
    return c.conv.tool_choice;
}

namespace {

std::mutex g_resolve_mutex;

}  // namespace

void resolve_output_parsers(ServingContext& ctx) {
    static std::vector<const ServingContext*> logged;  // contexts whose parsers are settled and logged
    std::lock_guard<std::mutex> lock(g_resolve_mutex);
    if (std::find(logged.begin(), logged.end(), &ctx) != logged.end()) return;
    const std::string text = ctx.chat_template ? ctx.chat_template->source().text : std::string();
    const char* reasoning_from = "--reasoning-parser";
    if (ctx.reasoning_parser == "auto") {
        ctx.reasoning_parser = text.find("<think>") != std::string::npos ? "nemotron_v3" : "none";
        reasoning_from = "the chat template";
    }
    const char* tools_from = "--tool-call-parser";
    if (ctx.tool_call_parser == "auto") {
        const bool qwen =
            text.find("<tool_call>") != std::string::npos && text.find("<function=") != std::string::npos;
        ctx.tool_call_parser = qwen ? "qwen3_coder" : "none";
        if (!ctx.enable_auto_tool_choice) ctx.enable_auto_tool_choice = qwen;
        tools_from = "the chat template";
    }
    SPDLOG_INFO("reasoning parser: {} (from {}); tool call parser: {} (from {}), auto tool choice {}",
                ctx.reasoning_parser, reasoning_from, ctx.tool_call_parser, tools_from,
                ctx.enable_auto_tool_choice.value_or(false) ? "on" : "off");
    logged.push_back(&ctx);
}

namespace {

// Removes the first message that is not a system or developer message, unless it is the last such
// message (the turn being answered). False when nothing can go.
bool drop_oldest_turn(nlohmann::ordered_json& messages) {
    auto is_turn = [](const nlohmann::ordered_json& m) {
        const std::string role = m.value("role", "");
        return role != "system" && role != "developer";
    };
    const auto turns = std::count_if(messages.begin(), messages.end(), is_turn);
    if (turns < 2) return false;
    for (auto it = messages.begin(); it != messages.end(); ++it)
        if (is_turn(*it)) {
            messages.erase(it);
            return true;
        }
    return false;
}

}  // namespace

std::shared_ptr<const PreparedConversation> prepare_conversation(ServingContext& ctx, Conversation conv) {
    resolve_output_parsers(ctx);
    auto p = std::make_shared<PreparedConversation>();
    const tok::Tokenizer& tk = *ctx.tokenizer;
    const bool has_tools = conv.chat.tools.is_array() && !conv.chat.tools.empty();
    const bool tool_parser = ctx.tool_call_parser != "none";

    // spec §3.4: tool_choice checks.
    ToolChoice& tc = conv.tool_choice;
    if (tc.mode == ToolChoiceMode::REQUIRED && !has_tools) tc.mode = ToolChoiceMode::NONE;
    if (tc.mode == ToolChoiceMode::AUTO && !has_tools) tc.mode = ToolChoiceMode::NONE;
    if (tc.mode == ToolChoiceMode::NAMED && !has_tools)
        throw bad_request("When using `tool_choice`, `tools` must be set.", "tool_choice");
    if (tc.mode == ToolChoiceMode::AUTO && (!tool_parser || !ctx.enable_auto_tool_choice.value_or(false)))
        throw bad_request(
            "\"auto\" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set",
            "tool_choice");
    if ((tc.mode == ToolChoiceMode::REQUIRED || tc.mode == ToolChoiceMode::NAMED) && !tool_parser)
        throw bad_request("tool_choice=\"required\" requires --tool-call-parser to be set", "tool_choice");

    if (has_tools && tc.mode == ToolChoiceMode::NONE && ctx.exclude_tools_when_tool_choice_none)
        conv.chat.tools = nullptr;  // spec §3.2: otherwise the tools reach the template even with "none"
    auto tmpl = conv.chat_template ? conv.chat_template : ctx.chat_template;
    if (!tmpl) throw bad_request("this model has no chat template; use /v1/completions");
    std::string text = tmpl->render(conv.chat);
    // The template writes the special tokens itself; add_special_tokens adds the tokenizer's on top.
    p->prompt = tk.encode(text, conv.sampling.add_special_tokens.value_or(false));
    // Responses' truncation "auto": the oldest turns give way until the prompt leaves room to answer.
    while (conv.drop_oldest_turns && static_cast<int64_t>(p->prompt.size()) >= ctx.max_model_len &&
           drop_oldest_turn(conv.chat.messages)) {
        text = tmpl->render(conv.chat);
        p->prompt = tk.encode(text, conv.sampling.add_special_tokens.value_or(false));
    }
    p->turn_start = generation_prompt_start(*tmpl, conv.chat, text, p->prompt, tk);
    if (const size_t cut = truncate_prompt(p->prompt, conv.sampling); cut > 0)
        p->turn_start =
            p->turn_start >= static_cast<int64_t>(cut) ? p->turn_start - static_cast<int64_t>(cut) : -1;
    if (p->prompt.empty()) throw bad_request("the rendered prompt is empty", "messages");
    const auto n_prompt = static_cast<int64_t>(p->prompt.size());
    if (conv.clamp_max_tokens && conv.sampling.max_tokens && n_prompt < ctx.max_model_len)
        conv.sampling.max_tokens = std::min(*conv.sampling.max_tokens, ctx.max_model_len - n_prompt);
    finish_max_tokens(conv.sampling, n_prompt, ctx, true);

    // Reasoning (spec §8.2): the last marker of the prompt decides where the output starts.
    if (ctx.reasoning_parser != "none") {
        p->markers = {tk.token_to_id("<think>"), tk.token_to_id("</think>")};
        if (p->markers.known())
            p->initial =
                chat::reasoning_phase_from_prompt_ids(p->prompt, p->markers.start_id, p->markers.end_id);
        else
            p->initial = chat::reasoning_phase_from_prompt(text);
    }
    for (const char* m : {"<think>", "</think>", "<tool_call>", "</tool_call>"})
        if (int32_t id = tk.token_to_id(m); id >= 0) p->keep_special_ids.push_back(id);

    // Thinking budget (spec §8.3): the request can only lower the server's ceiling.
    std::optional<int64_t> budget = conv.thinking_budget;
    if (budget && *budget < 0) budget.reset();
    if (ctx.max_thinking_tokens && *ctx.max_thinking_tokens >= 0)
        budget = budget ? std::min(*budget, *ctx.max_thinking_tokens) : *ctx.max_thinking_tokens;
    ConstraintSpec& cs = p->constraint;
    cs.initial = p->initial;
    cs.markers = p->markers;
    if (budget && p->markers.known() && p->initial == chat::ReasoningPhase::IN_REASONING) {
        cs.thinking_budget = budget;
        if (!ctx.thinking_end_message.empty()) cs.end_sequence = tk.encode(ctx.thinking_end_message, false);
        cs.end_sequence.push_back(p->markers.end_id);
    }

    // Output constraint: required/named tool choice overrides response_format (spec §3.4).
    if (tc.mode == ToolChoiceMode::REQUIRED || tc.mode == ToolChoiceMode::NAMED)
        cs.grammar = compile_tool_choice(tc, conv.chat.tools, conv.parallel_tool_calls);
    else
        cs.grammar = compile_output_format(conv.format);
    if (cs.grammar) cs.vocab = grammar_vocabulary(ctx);
    p->constrained = cs.grammar || cs.thinking_budget;

    p->parser.tools = chat::tool_specs_from_json(conv.chat.tools);
    p->parser.parse_tool_calls = tc.mode == ToolChoiceMode::AUTO;
    p->parser.parse_reasoning = ctx.reasoning_parser != "none";
    p->parser.parallel_tool_calls = conv.parallel_tool_calls;
    p->parser.on_warning = [](const std::string& m) { SPDLOG_WARN("output parser: {}", m); };
    p->conv = std::move(conv);
    return p;
}

namespace {

// One choice's text → deltas: the output parser, then (named/required tool choice) the constrained
// JSON turned into tool calls.
struct ChoiceOutput {
    std::shared_ptr<chat::ReasoningState> state;
    std::unique_ptr<chat::OutputParser> parser;
    std::unique_ptr<ToolCallOutput> tools;
    int64_t completion_tokens = 0;
    int64_t cached_tokens = 0;
    bool has_tool_calls = false;
};

}  // namespace

RunResult run_conversation(ServingContext& ctx, const PreparedConversation& pc,
                           const std::function<bool(const ChoiceEvent&)>& on_event,
                           const std::function<bool()>& client_gone) {
    const SamplingFields& f = pc.conv.sampling;
    std::vector<ChoiceOutput> outs(static_cast<size_t>(f.n));
    for (auto& o : outs) {
        o.state = std::make_shared<chat::ReasoningState>(pc.initial);
        o.parser = std::make_unique<chat::OutputParser>(pc.parser, o.state);
        if (pc.conv.tool_choice.mode == ToolChoiceMode::REQUIRED ||
            pc.conv.tool_choice.mode == ToolChoiceMode::NAMED)
            o.tools = std::make_unique<ToolCallOutput>(pc.conv.tool_choice, pc.parser.tools,
                                                       pc.conv.parallel_tool_calls);
    }
    RunOptions opts;
    opts.keep_special_ids = pc.keep_special_ids;
    opts.turn_start = pc.turn_start;
    opts.prompt_logprobs = f.prompt_logprobs;
    if (pc.constrained)
        opts.make_constraint = [&pc](size_t) { return std::make_shared<ReasoningConstraint>(pc.constraint); };

    auto on_delta = [&](const ChoiceDelta& d) {
        ChoiceOutput& o = outs[static_cast<size_t>(d.index)];
        ChoiceEvent ev;
        ev.index = d.index;
        ev.tokens = d.tokens;
        ev.finish = d.finish;
        ev.stop_reason = d.stop_reason;
        ev.prompt_logprobs = d.prompt_logprobs;
        if (d.finish == FinishReason::STOP && d.stop_reason.is_string())
            ev.stop_sequence = d.stop_reason.get<std::string>();
        o.completion_tokens += static_cast<int64_t>(d.tokens.size());
        if (d.cached_tokens > 0) o.cached_tokens = d.cached_tokens;
        if (pc.markers.known())
            for (const auto& t : d.tokens)
                o.state->observe_token(t.token, pc.markers.start_id, pc.markers.end_id);
        std::vector<chat::Delta> deltas = o.parser->feed(d.text);
        if (d.finish != FinishReason::NONE) {
            auto tail = o.parser->finish();
            deltas.insert(deltas.end(), tail.begin(), tail.end());
        }
        if (o.tools) deltas = o.tools->convert(std::move(deltas), d.finish != FinishReason::NONE);
        for (auto& x : deltas) {
            if (x.kind == chat::DeltaKind::TOOL_CALL_BEGIN) o.has_tool_calls = true;
            if (x.kind == chat::DeltaKind::REASONING_TEXT && !pc.conv.include_reasoning) continue;
            ev.deltas.push_back(std::move(x));
        }
        ev.has_tool_calls = o.has_tool_calls;
        ev.completion_tokens = o.completion_tokens;
        ev.reasoning_tokens = o.state->reasoning_tokens();
        ev.cached_tokens = o.cached_tokens;
        return on_event(ev);
    };
    return run_generation(ctx, {pc.prompt}, f, on_delta, client_gone, opts);
}

}  // namespace hy::api
