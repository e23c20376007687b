// POST /v1/responses and the stored-response endpoints (spec/api.md §5, issue 7). The request becomes
// a Conversation (with the stored history of previous_response_id in front), runs on the one
// generation path, and ResponsesStream turns its events into the typed stream or the response object.
// With the store on, the finished response is committed to SQLite before the client sees its end.
#include <spdlog/spdlog.h>

#include <memory>

#include "api/completion_common.h"
#include "api/responses_handlers.h"
#include "api/responses_request.h"
#include "api/responses_stream.h"
#include "api/serialized_run.h"
#include "api/token_logprobs.h"
#include "api/typed_sse.h"

namespace hy::api {

namespace {

// 404 as vLLM words it (§5.4), in the OpenAI envelope with the invalid_request_error type.
ApiResponse not_found(const std::string& id, const store::ResponseStore* store) {
    std::string msg = "Response with id '" + id + "' not found.";
    if (!store)
        msg +=
            " The response store is off: start the server with --enable-responses-store or "
            "VLLM_ENABLE_RESPONSES_API_STORE=1.";
    ApiResponse r;
    r.status = 404;
    r.body = dump(
        {{"error",
          {{"message", msg}, {"type", "invalid_request_error"}, {"param", "response_id"}, {"code", 404}}}});
    return r;
}

ApiResponse json_body(std::string body) {
    ApiResponse r;
    r.body = std::move(body);
    return r;
}

struct ResponsesCall {
    std::shared_ptr<const PreparedConversation> conv;
    std::string id = "resp_" + random_hex(32);
    OJson base;
    OJson history;
    store::ResponseStore* store = nullptr;  // set when this response is to be stored
    bool stream = false;
    double t0 = seconds_since_epoch_mono();
};

void run_responses(ServingContext& ctx, const ResponsesCall& c, BodyWriter& w) {
    const int64_t prompt_tokens = prompt_token_count(*c.conv);
    ResponsesStream::Logprobs logprobs;
    if (sampling_of(*c.conv).params.top_logprobs >= 0)
        logprobs = [&ctx](const std::vector<GeneratedToken>& tokens) {
            return token_logprob_entries(ctx, tokens);
        };
    ResponsesStream s(
        c.base, prompt_tokens,
        [](std::string_view prefix) { return std::string(prefix) + "_" + random_hex(32); },
        std::move(logprobs));
    bool alive = !c.stream || w.write(s.start());
    RunResult r = run_serialized(
        ctx, *c.conv, c.stream, w, [&](const ChoiceEvent& ev) { return s.on_event(ev); }, alive);
    log_request(c.id, "/v1/responses", prompt_tokens, r, seconds_since_epoch_mono() - c.t0);
    if (r.cancelled || !alive) return;
    std::string error = r.error;
    if (error.empty() && !s.finished()) error = "generation ended without a result";
    if (error.empty() && c.store) {
        try {
            c.store->put({c.id, c.base.value("created_at", int64_t{0}), dump(s.response()), dump(c.history)});
        } catch (const std::exception& e) {
            SPDLOG_ERROR("{}: {}", c.id, e.what());
            error = e.what();
        }
    }
    if (!error.empty()) {
        w.write(c.stream ? s.error_event(error) : dump(error_json(Error(error, 500, "InternalServerError"))));
        return;
    }
    w.write(c.stream ? s.finish_event() : dump(s.response()));
}

}  // namespace

ApiResponse handle_responses(ServingContext& ctx, store::ResponseStore* store, const std::string& body_text) {
    try {
        const OJson body = parse_body(body_text);
        // A continuation starts from the stored conversation and the previous output (§5.1).
        OJson previous = OJson::array();
        if (auto prev = opt_string(body, "previous_response_id")) {
            auto stored = store ? store->get(*prev) : std::nullopt;
            if (!stored) return not_found(*prev, store);
            previous = OJson::parse(stored->conversation_json, nullptr, false);
            const OJson prev_resp = OJson::parse(stored->response_json, nullptr, false);
            if (previous.is_discarded() || !previous.is_array() || prev_resp.is_discarded())
                throw Error("stored response " + *prev + " is unreadable", 500, "InternalServerError");
            for (auto& m : output_messages(prev_resp.value("output", OJson::array()))) previous.push_back(m);
        }
        ResponsesRequest req = responses_request(body, ctx, previous);
        auto call = std::make_shared<ResponsesCall>();
        call->stream = req.conv.sampling.stream;
        call->history = std::move(req.history);
        call->store = req.store ? store : nullptr;
        call->conv = prepare_conversation(ctx, std::move(req.conv));
        const SamplingFields& f = sampling_of(*call->conv);
        OJson base = {{"id", call->id},
                      {"object", "response"},
                      {"created_at", unix_now()},
                      {"status", "in_progress"},
                      {"background", false},
                      {"error", nullptr},
                      {"incomplete_details", nullptr}};
        for (const char* k : {"instructions", "max_tool_calls"}) base[k] = req.echo[k];
        base["max_output_tokens"] = f.params.max_tokens;
        base["model"] = ctx.model_name();
        base["output"] = OJson::array();
        for (const char* k : {"parallel_tool_calls", "previous_response_id"}) base[k] = req.echo[k];
        base["prompt"] = nullptr;
        for (const char* k : {"reasoning", "service_tier"}) base[k] = req.echo[k];
        base["store"] = call->store != nullptr;
        base["temperature"] = f.params.temperature;
        for (const char* k : {"text", "tool_choice", "tools", "top_logprobs"}) base[k] = req.echo[k];
        base["top_p"] = f.params.top_p;
        base["truncation"] = req.echo["truncation"];
        base["usage"] = nullptr;
        for (const char* k : {"user", "metadata"}) base[k] = req.echo[k];
        call->base = std::move(base);
        ApiResponse r;
        if (call->stream) r.content_type = "text/event-stream";
        r.producer = [&ctx, call](BodyWriter& w) { run_responses(ctx, *call, w); };
        return r;
    } catch (...) {
        return error_response(std::current_exception());
    }
}

ApiResponse handle_get_response(store::ResponseStore* store, const std::string& id) {
    try {
        auto stored = store ? store->get(id) : std::nullopt;
        return stored ? json_body(stored->response_json) : not_found(id, store);
    } catch (...) {
        return error_response(std::current_exception());
    }
}

ApiResponse handle_delete_response(store::ResponseStore* store, const std::string& id) {
    try {
        if (!store || !store->remove(id)) return not_found(id, store);
        return json_body(dump({{"id", id}, {"object", "response.deleted"}, {"deleted", true}}));
    } catch (...) {
        return error_response(std::current_exception());
    }
}

ApiResponse handle_cancel_response(store::ResponseStore* store, const std::string& id) {
    try {
        if (!store || !store->get(id)) return not_found(id, store);
        // Every response here is synchronous (background is refused), so it has already finished (§5.4).
        return error_response(
            Error("Cannot cancel a synchronous response.", 400, "invalid_request_error", "response_id"));
    } catch (...) {
        return error_response(std::current_exception());
    }
}

}  // namespace hy::api
