// POST /v1/chat/completions (spec/api.md §3): messages → prompt ids with the model's chat template,
// then generation; non-streaming response §3.3 or SSE chunks §3.5.
#include <memory>

#include "api/chat_conversation.h"
#include "api/chat_stream.h"
#include "api/completion_common.h"
#include "api/conversation.h"
#include "api/json_fields.h"
#include "api/openai_handlers.h"
#include "api/sampling_fields.h"
#include "api/token_logprobs.h"

namespace hy::api {

namespace {

// {"content":[{"token","logprob","bytes","top_logprobs":[…]}]} for the tokens of one delta.
OJson chat_logprobs(const ServingContext& ctx, const std::vector<GeneratedToken>& tokens, bool as_ids) {
    return {{"content", token_logprob_entries(ctx, tokens, as_ids)}};
}

struct ChatCall {
    std::string id = "chatcmpl-" + random_hex(32);
    int64_t created = unix_now();
    std::shared_ptr<const PreparedConversation> conv;
    std::string echo_text;  // echo: the last message's content when it has the assistant role
    // vLLM: --response-role after a generation prompt; continuing a message keeps that message's role.
    std::string role = "assistant";
    ChatToolPolicy tools;
    bool include_reasoning = true;
    double t0 = seconds_since_epoch_mono();

    ChatChunkHeader header(const ServingContext& ctx) const { return {id, created, ctx.model_name()}; }
};

OJson chat_usage(int64_t prompt, int64_t completion, int64_t reasoning) {
    OJson u = usage_json(prompt, completion);
    u["completion_tokens_details"] = {{"reasoning_tokens", reasoning}};
    return u;
}

void stream_chat(ServingContext& ctx, const ChatCall& c, BodyWriter& w) {
    const SamplingFields& f = sampling_of(*c.conv);
    const int64_t n_prompt = prompt_token_count(*c.conv);
    const bool want_lp = f.params.top_logprobs >= 0;
    const ChatChunkHeader header = c.header(ctx);
    bool alive = true;
    auto send = [&](const OJson& j) { return alive = alive && w.write(sse(j)); };
    for (const OJson& ch : chat_opening_chunks(header, f.n, c.echo_text, c.role)) send(ch);
    int64_t completion = 0;
    std::vector<int64_t> reasoning(static_cast<size_t>(f.n), 0);
    auto on_event = [&](const ChoiceEvent& ev) {
        completion += static_cast<int64_t>(ev.tokens.size());
        reasoning[static_cast<size_t>(ev.index)] = ev.reasoning_tokens;
        const OJson lp =
            want_lp && !ev.tokens.empty() ? chat_logprobs(ctx, ev.tokens, f.tokens_as_ids) : OJson(nullptr);
        for (OJson& ch : chat_event_chunks(header, ev, c.tools, want_lp, lp)) {
            if (f.continuous_usage_stats) ch["usage"] = usage_json(n_prompt, completion);
            if (!send(ch)) return false;
        }
        return alive;
    };
    RunResult r = run_conversation(ctx, *c.conv, on_event, [&] { return w.client_gone(); });
    if (!r.error.empty()) send(error_json(Error(r.error, 500, "InternalServerError")));
    if (f.include_usage && !r.cancelled) {
        OJson ch = chat_chunk(header);
        ch["choices"] = OJson::array();
        int64_t total_reasoning = 0;
        for (int64_t x : reasoning) total_reasoning += x;
        ch["usage"] = chat_usage(n_prompt, r.completion_tokens, total_reasoning);
        if (ctx.prompt_tokens_details)
            ch["usage"]["prompt_tokens_details"] = {
                {"cached_tokens", ctx.usage_cached_tokens(r.cached_tokens)}};
        send(ch);
    }
    if (alive) w.write(kSseDone);
    log_request(c.id, "/v1/chat/completions", n_prompt, r, seconds_since_epoch_mono() - c.t0);
}

// A non-streaming choice is the fold of its events (so both paths agree by construction).
struct ChatFold {
    chat::ParsedMessage msg;
    std::vector<GeneratedToken> tokens;
    FinishReason finish = FinishReason::NONE;
    OJson stop_reason;
    bool has_tool_calls = false;
    int64_t reasoning_tokens = 0;
    std::vector<PromptLogprob> prompt_logprobs;
};

void complete_chat(ServingContext& ctx, const ChatCall& c, BodyWriter& w) {
    const SamplingFields& f = sampling_of(*c.conv);
    const int64_t n_prompt = prompt_token_count(*c.conv);
    std::vector<ChatFold> folds(static_cast<size_t>(f.n));
    RunResult r = run_conversation(
        ctx, *c.conv,
        [&](const ChoiceEvent& ev) {
            ChatFold& fo = folds[static_cast<size_t>(ev.index)];
            fo.msg.apply(ev.deltas);
            fo.tokens.insert(fo.tokens.end(), ev.tokens.begin(), ev.tokens.end());
            fo.has_tool_calls = ev.has_tool_calls;
            fo.reasoning_tokens = ev.reasoning_tokens;
            if (!ev.prompt_logprobs.empty()) fo.prompt_logprobs = ev.prompt_logprobs;
            if (ev.finish != FinishReason::NONE) fo.finish = ev.finish, fo.stop_reason = ev.stop_reason;
            return true;
        },
        [&] { return w.client_gone(); });
    log_request(c.id, "/v1/chat/completions", n_prompt, r, seconds_since_epoch_mono() - c.t0);
    if (r.cancelled) return;
    if (!r.error.empty()) {
        w.write(dump(error_json(Error(r.error, 500, "InternalServerError"))));
        return;
    }
    OJson choices = OJson::array();
    int64_t total_reasoning = 0;
    for (size_t i = 0; i < folds.size(); ++i) {
        const ChatFold& fo = folds[i];
        total_reasoning += fo.reasoning_tokens;
        choices.push_back(
            {{"index", i},
             {"message", chat_message_json(fo.msg, c.echo_text, c.include_reasoning, c.tools, c.role)},
             {"logprobs",
              f.params.top_logprobs >= 0 ? chat_logprobs(ctx, fo.tokens, f.tokens_as_ids) : OJson(nullptr)},
             {"finish_reason", chat_finish_reason(fo.finish, fo.has_tool_calls, c.tools)},
             {"stop_reason", fo.stop_reason},
             {"token_ids", token_ids_json(fo.tokens, f.return_token_ids)}});
    }
    OJson out = response_json(c.id, "chat.completion", c.created, ctx, std::move(choices), n_prompt,
                              r.completion_tokens, ctx.usage_cached_tokens(r.cached_tokens));
    out["usage"]["completion_tokens_details"] = {{"reasoning_tokens", total_reasoning}};
    // vLLM: one top-level list for the request (every choice shares the prompt).
    out["prompt_logprobs"] = f.prompt_logprobs >= 0 && !folds.empty()
                                 ? vllm_prompt_logprobs(ctx, prompt_ids_of(*c.conv), folds[0].prompt_logprobs,
                                                        static_cast<size_t>(f.prompt_logprobs))
                                 : OJson(nullptr);
    out["prompt_token_ids"] = f.return_token_ids ? OJson(prompt_ids_of(*c.conv)) : OJson(nullptr);
    out["kv_transfer_params"] = nullptr;
    w.write(dump(out));
}

}  // namespace

ApiResponse handle_chat_completions(ServingContext& ctx, const std::string& body_text) {
    try {
        OJson body = parse_body(body_text);
        check_model(body, ctx);
        check_chat_messages(body);
        const auto msgs = body.find("messages");
        Conversation conv = read_chat_conversation(body, ctx);
        conv.chat_template = read_request_chat_template(body, ctx);
        if (!conv.chat_template && !ctx.chat_template)
            throw bad_request("this model has no chat template; use /v1/completions");

        auto call = std::make_shared<ChatCall>();
        call->include_reasoning = conv.include_reasoning;
        call->role = conv.chat.add_generation_prompt ? ctx.response_role  // messages are non-empty (checked)
                                                     : msgs->back().value("role", ctx.response_role);
        call->tools.named_tool = conv.tool_choice.mode == ToolChoiceMode::NAMED;
        const bool echo = conv.sampling.echo;
        call->conv = prepare_conversation(ctx, std::move(conv));
        const ToolChoiceMode mode = tool_choice_of(*call->conv).mode;
        call->tools.forced_tools = mode == ToolChoiceMode::REQUIRED || mode == ToolChoiceMode::NAMED;
        if (echo && !msgs->empty()) {
            const auto& last = msgs->back();
            auto content = last.find("content");
            if (last.value("role", "") == "assistant" && content != last.end() && content->is_string())
                call->echo_text = content->get<std::string>();
        }

        return generation_response(ctx, call, sampling_of(*call->conv).stream, &stream_chat, &complete_chat);
    } catch (...) {
        return error_response(std::current_exception());
    }
}

}  // namespace hy::api
