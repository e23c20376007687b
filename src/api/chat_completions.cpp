// POST /v1/chat/completions (spec/api.md §3): messages → prompt ids with the model's chat template,
// then generation; non-streaming response §3.3 or SSE chunks §3.5.
#include <memory>

#include "api/completion_common.h"
#include "api/json_fields.h"
#include "api/openai_handlers.h"
#include "api/sampling_fields.h"

namespace hy::api {

namespace {

OJson bytes_of(const std::string& s) {
    OJson b = OJson::array();
    for (unsigned char c : s) b.push_back(static_cast<int>(c));
    return b;
}

// {"content":[{"token","logprob","bytes","top_logprobs":[…]}]} for the tokens of one delta.
OJson chat_logprobs(const ServingContext& ctx, const std::vector<GeneratedToken>& tokens) {
    OJson content = OJson::array();
    for (const auto& t : tokens) {
        const std::string text = token_text(ctx, t.token);
        OJson top = OJson::array();
        for (const auto& alt : t.top) {
            const std::string at = token_text(ctx, alt.token);
            top.push_back({{"token", at}, {"logprob", alt.logprob}, {"bytes", bytes_of(at)}});
        }
        content.push_back(
            {{"token", text}, {"logprob", t.logprob}, {"bytes", bytes_of(text)}, {"top_logprobs", top}});
    }
    return {{"content", content}};
}

struct ChatCall {
    std::string id = "chatcmpl-" + random_hex(32);
    int64_t created = unix_now();
    std::vector<int32_t> prompt;
    SamplingFields f;
    std::string echo_text;  // echo: the last message's content when it has the assistant role
    double t0 = seconds_since_epoch_mono();
};

OJson chunk_base(const ChatCall& c, const ServingContext& ctx) {
    return {{"id", c.id},
            {"object", "chat.completion.chunk"},
            {"created", c.created},
            {"model", ctx.model_name()}};
}

void stream_chat(ServingContext& ctx, const ChatCall& c, BodyWriter& w) {
    const bool want_lp = c.f.params.top_logprobs >= 0;
    bool alive = true;
    auto send = [&](const OJson& j) { return alive = alive && w.write(sse(j)); };
    for (int64_t i = 0; i < c.f.n; ++i) {
        OJson ch = chunk_base(c, ctx);
        ch["choices"] = OJson::array({{{"index", i},
                                       {"delta", {{"role", "assistant"}, {"content", ""}}},
                                       {"logprobs", nullptr},
                                       {"finish_reason", nullptr}}});
        send(ch);
        if (!c.echo_text.empty()) {
            ch["choices"][0]["delta"] = {{"content", c.echo_text}};
            send(ch);
        }
    }
    int64_t completion = 0;
    auto on_delta = [&](const ChoiceDelta& d) {
        completion += static_cast<int64_t>(d.tokens.size());
        const bool final = d.finish != FinishReason::NONE;
        if (d.text.empty() && !final && !want_lp) return alive;  // nothing visible this step
        OJson choice = {{"index", d.index}, {"delta", OJson::object()}};
        if (!d.text.empty()) choice["delta"]["content"] = d.text;
        choice["logprobs"] = want_lp && !d.tokens.empty() ? chat_logprobs(ctx, d.tokens) : OJson(nullptr);
        choice["finish_reason"] = final ? OJson(finish_reason_name(d.finish)) : OJson(nullptr);
        if (final) choice["stop_reason"] = d.stop_reason;
        OJson ch = chunk_base(c, ctx);
        ch["choices"] = OJson::array({choice});
        if (c.f.continuous_usage_stats)
            ch["usage"] = usage_json(static_cast<int64_t>(c.prompt.size()), completion);
        return send(ch);
    };
    RunResult r = run_generation(ctx, {c.prompt}, c.f, on_delta, [&] { return w.client_gone(); });
    if (!r.error.empty()) send(error_json(Error(r.error, 500, "InternalServerError")));
    if (c.f.include_usage && !r.cancelled) {
        OJson ch = chunk_base(c, ctx);
        ch["choices"] = OJson::array();
        ch["usage"] = usage_json(static_cast<int64_t>(c.prompt.size()), r.completion_tokens);
        send(ch);
    }
    if (alive) w.write(kSseDone);
    log_request(c.id, "/v1/chat/completions", static_cast<int64_t>(c.prompt.size()), r,
                seconds_since_epoch_mono() - c.t0);
}

void complete_chat(ServingContext& ctx, const ChatCall& c, BodyWriter& w) {
    std::vector<ChoiceFold> folds;
    RunResult r;
    if (!run_folded(ctx, {c.prompt}, c.f, w, c.id, "/v1/chat/completions",
                    static_cast<int64_t>(c.prompt.size()), c.t0, folds, r))
        return;
    OJson choices = OJson::array();
    for (size_t i = 0; i < folds.size(); ++i) {
        const ChoiceFold& fo = folds[i];
        OJson msg = {{"role", "assistant"},
                     {"content", c.echo_text + fo.text},
                     {"refusal", nullptr},
                     {"annotations", nullptr},
                     {"audio", nullptr},
                     {"function_call", nullptr},
                     {"tool_calls", OJson::array()},
                     {"reasoning", nullptr}};
        choices.push_back(
            {{"index", i},
             {"message", msg},
             {"logprobs", c.f.params.top_logprobs >= 0 ? chat_logprobs(ctx, fo.tokens) : OJson(nullptr)},
             {"finish_reason", finish_reason_name(fo.finish)},
             {"stop_reason", fo.stop_reason},
             {"token_ids", token_ids_json(fo.tokens, c.f.return_token_ids)}});
    }
    OJson out = response_json(c.id, "chat.completion", c.created, ctx, std::move(choices),
                              static_cast<int64_t>(c.prompt.size()), r.completion_tokens);
    out["prompt_logprobs"] = nullptr;
    out["prompt_token_ids"] = c.f.return_token_ids ? OJson(c.prompt) : OJson(nullptr);
    out["kv_transfer_params"] = nullptr;
    w.write(dump(out));
}

}  // namespace

ApiResponse handle_chat_completions(ServingContext& ctx, const std::string& body_text) {
    try {
        OJson body = parse_body(body_text);
        check_model(body, ctx);
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
                throw schema_error("messages.content",
                                   "Input should be a valid string or list of content parts");
        }
        std::shared_ptr<const chat::ChatTemplate> tmpl = ctx.chat_template;
        if (auto text = opt_string(body, "chat_template")) {
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
                tmpl = std::make_shared<chat::ChatTemplate>(std::move(src));
            } catch (const Error& e) {
                throw bad_request(e.what(), "chat_template");
            }
        }
        if (!tmpl) throw bad_request("this model has no chat template; use /v1/completions");

        auto call = std::make_shared<ChatCall>();
        call->f = read_sampling_fields(body, ctx, true);
        // Server --default-chat-template-kwargs under the request's chat_template_kwargs (spec §3.1).
        OJson merged = ctx.default_chat_template_kwargs;
        if (const Json* kw = opt_object(body, "chat_template_kwargs"))
            for (const auto& [k, v] : kw->items()) merged[k] = v;
        // reasoning_effort reaches the template as a kwarg (spec §3.1) unless the kwargs set it.
        if (auto effort = opt_string(body, "reasoning_effort");
            effort && !merged.contains("reasoning_effort"))
            merged["reasoning_effort"] = *effort;
        body["chat_template_kwargs"] = merged;
        chat::ChatRequest req = chat::ChatRequest::from_json(body);
        call->prompt = tmpl->encode(req, *ctx.tokenizer);
        if (call->prompt.empty()) throw bad_request("the rendered prompt is empty", "messages");
        finish_max_tokens(call->f, static_cast<int64_t>(call->prompt.size()), ctx, true);
        if (call->f.echo && !msgs->empty()) {
            const auto& last = msgs->back();
            auto content = last.find("content");
            if (last.value("role", "") == "assistant" && content != last.end() && content->is_string())
                call->echo_text = content->get<std::string>();
        }

        return generation_response(ctx, call, call->f.stream, &stream_chat, &complete_chat);
    } catch (...) {
        return error_response(std::current_exception());
    }
}

}  // namespace hy::api
