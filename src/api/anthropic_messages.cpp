// POST /v1/messages and /v1/messages/count_tokens (spec/api.md §6, issue 7): the request becomes a
// Conversation, runs on the one generation path, and AnthropicStream turns its events into the
// streamed or the complete message.
#include <memory>

#include "api/anthropic_errors.h"
#include "api/anthropic_handlers.h"
#include "api/anthropic_request.h"
#include "api/anthropic_stream.h"
#include "api/completion_common.h"
#include "api/ping_writer.h"
#include "api/serialized_run.h"

namespace hy::api {

namespace {

constexpr auto kPingInterval = std::chrono::seconds(15);  // issue 7: ping after 15 s of silence

struct MessagesCall {
    std::shared_ptr<const PreparedConversation> conv;
    std::string id = "msg_" + random_hex(24);
    std::string signature = random_hex(32);  // not verifiable here: thinking is never encrypted
    bool stream = false;
    double t0 = seconds_since_epoch_mono();
};

void run_messages(ServingContext& ctx, const MessagesCall& c, BodyWriter& out) {
    PingWriter pinging(out, kPingInterval);
    BodyWriter& w = c.stream ? static_cast<BodyWriter&>(pinging) : out;  // no pings inside a JSON body
    const int64_t prompt_tokens = prompt_token_count(*c.conv);
    AnthropicStream s(c.id, ctx.model_name(), prompt_tokens, c.signature, ctx.prompt_tokens_details);
    bool alive = !c.stream || w.write(s.start());
    RunResult r = run_serialized(
        ctx, *c.conv, c.stream, w, [&](const ChoiceEvent& ev) { return s.on_event(ev); }, alive);
    log_request(c.id, "/v1/messages", prompt_tokens, r, seconds_since_epoch_mono() - c.t0);
    if (r.cancelled || !alive) return;
    if (!r.error.empty() || !s.finished()) {
        const Error e(r.error.empty() ? "generation ended without a result" : r.error, 500);
        OJson err = anthropic_error_json(e);
        if (c.stream) {
            err.erase("request_id");
            w.write(typed_sse("error", err));
        } else {
            w.write(dump(err));
        }
        return;
    }
    if (!c.stream) w.write(dump(s.message()));
}

}  // namespace

ApiResponse handle_messages(ServingContext& ctx, const std::string& body_text) {
    try {
        const OJson body = parse_body(body_text);
        Conversation conv = anthropic_conversation(body, ctx, false);
        auto call = std::make_shared<MessagesCall>();
        call->stream = conv.sampling.stream;
        call->conv = prepare_conversation(ctx, std::move(conv));
        ApiResponse r;
        if (call->stream) r.content_type = "text/event-stream";
        r.producer = [&ctx, call](BodyWriter& w) { run_messages(ctx, *call, w); };
        return r;
    } catch (...) {
        return anthropic_error_response(std::current_exception());
    }
}

ApiResponse handle_count_tokens(ServingContext& ctx, const std::string& body_text) {
    try {
        const OJson body = parse_body(body_text);
        Conversation conv = anthropic_conversation(body, ctx, true);
        // The count is what generation would see: the rendered prompt with system, tools and the
        // generation prompt (§6.4).
        const int64_t n = rendered_prompt_tokens(ctx, conv);
        ApiResponse r;
        r.body = dump({{"input_tokens", n}, {"context_management", {{"original_input_tokens", n}}}});
        return r;
    } catch (...) {
        return anthropic_error_response(std::current_exception());
    }
}

}  // namespace hy::api
