#include "api/generation_run.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>

#include "api/nonblocking_writes.h"
#include "api/stop_matcher.h"
#include "tokenizer/stream_decoder.h"

namespace hy::api {

namespace {

struct Choice {
    std::shared_ptr<RequestStream> stream;
    std::unique_ptr<tok::StreamDecoder> decoder;
    std::unique_ptr<StopMatcher> stop;
    bool done = false;
};

// The text of a generated token: through the streaming decoder, except that a kept special token
// (a reasoning/tool marker) is written out whole after whatever the decoder still holds.
std::string decode_token(const ServingContext& ctx, const SamplingFields& f, const RunOptions& o, Choice& c,
                         int32_t token) {
    if (!f.skip_special_tokens ||
        std::find(o.keep_special_ids.begin(), o.keep_special_ids.end(), token) == o.keep_special_ids.end())
        return c.decoder->push(token);
    std::string text = c.decoder->flush() + ctx.tokenizer->decode({token}, false);
    c.decoder = std::make_unique<tok::StreamDecoder>(ctx.tokenizer, f.skip_special_tokens);
    return text;
}

using Clock = std::chrono::steady_clock;

// HYSERVE_DIRECT_DELIVERY=0 turns direct delivery off (a diagnostic switch for A/B runs).
bool direct_delivery_enabled() {
    static const bool on = [] {
        const char* v = std::getenv("HYSERVE_DIRECT_DELIVERY");
        return !(v && std::string(v) == "0");
    }();
    return on;
}

}  // namespace

std::string token_text(const ServingContext& ctx, int32_t token) {
    return ctx.tokenizer->decode({token}, false);
}

RunResult run_generation(ServingContext& ctx, const std::vector<std::vector<int32_t>>& prompts,
                         const SamplingFields& f, const std::function<bool(const ChoiceDelta&)>& on_delta,
                         const std::function<bool()>& client_gone, const RunOptions& options) {
    RunResult result;
    const auto t0 = Clock::now();
    std::vector<Choice> choices;
    // Completions with max_tokens 0 generate nothing. With prompt logprobs asked for (echo + logprobs:
    // lm-eval's loglikelihood requests) the prompt still goes through the engine, which generates one
    // token to finish the prefill; that token is dropped below.
    const bool prefill_only = f.params.max_tokens <= 0 && options.prompt_logprobs >= 0;
    if (f.params.max_tokens <= 0 && !prefill_only) {
        for (size_t i = 0; i < prompts.size() * static_cast<size_t>(f.n); ++i) {
            ChoiceDelta d;
            d.index = static_cast<int>(i);
            d.finish = FinishReason::LENGTH;
            if (!on_delta(d)) return result.cancelled = true, result;
        }
        result.finish = "length";
        return result;
    }
    for (size_t p = 0; p < prompts.size(); ++p) {
        for (int64_t k = 0; k < f.n; ++k) {
            GenerationRequest req;
            req.prompt = prompts[p];
            req.sampling = f.params;
            if (prefill_only) req.sampling.max_tokens = 1;
            // n samples of one seeded request differ from each other but repeat across calls.
            if (req.sampling.seed) *req.sampling.seed += choices.size() * 0x9E3779B97F4A7C15ull;
            req.eos_token_ids = ctx.eos_token_ids;
            req.priority = f.priority;
            req.cache_salt = f.cache_salt;
            if (options.make_constraint) req.sampling.constraint = options.make_constraint(choices.size());
            req.prompt_logprobs = options.prompt_logprobs;
            req.turn_start = options.turn_start;
            Choice c;
            c.decoder = std::make_unique<tok::StreamDecoder>(ctx.tokenizer, f.skip_special_tokens);
            c.stop = std::make_unique<StopMatcher>(f.stop, f.include_stop_str_in_output);
            c.stream = ctx.engine->submit(std::move(req));
            choices.push_back(std::move(c));
        }
    }
    ctx.engine->metrics().on_request_params_n(f.n);
    auto abort_all = [&] {
        for (auto& c : choices)
            if (!c.done) ctx.engine->abort(c.stream), c.done = true;
    };

    size_t active = choices.size();
    bool first_token = true;
    // One event of choice i: its text through the detokenizer and the stop matcher, then the delta
    // to the serializer. False: the client is gone and every sequence was aborted.
    auto handle_event = [&](size_t i, TokenEvent ev) -> bool {
        Choice& c = choices[i];
        if (ev.cached_tokens >= 0) result.cached_tokens = std::max(result.cached_tokens, ev.cached_tokens);
        if (prefill_only && ev.token >= 0) {  // the prefill's token is not part of the output
            ev.token = -1;
            ev.stopped_by_token = false;
            ev.finish = FinishReason::LENGTH;
        }
        if (first_token && ev.token >= 0) {
            first_token = false;
            result.ttft_s = std::chrono::duration<double>(Clock::now() - t0).count();
        }
        ChoiceDelta d;
        d.index = static_cast<int>(i);
        d.cached_tokens = ev.cached_tokens;
        d.prompt_logprobs = std::move(ev.prompt_logprobs);
        if (ev.token >= 0) {
            ++result.completion_tokens;
            d.tokens.push_back({ev.token, ev.logprob, std::move(ev.top)});
            // EOS / stop-token text is not part of the output (vLLM).
            if (!ev.stopped_by_token) d.text = c.stop->push(decode_token(ctx, f, options, c, ev.token));
            if (ev.stopped_by_token && !c.stop->stopped() && ev.token >= 0 &&
                std::find(ctx.eos_token_ids.begin(), ctx.eos_token_ids.end(), ev.token) ==
                    ctx.eos_token_ids.end())
                d.stop_reason = ev.token;
        }
        if (c.stop->stopped()) {
            d.finish = FinishReason::STOP;
            d.stop_reason = *c.stop->matched();
            // The engine may have produced more; it is dropped. Metrics count the request as "stop".
            ctx.engine->abort(c.stream, FinishReason::STOP);
        } else if (ev.finish != FinishReason::NONE) {
            d.finish = ev.finish;
            std::string tail = c.stop->push(c.decoder->flush());
            if (c.stop->stopped()) {
                d.finish = FinishReason::STOP;
                d.stop_reason = *c.stop->matched();
            } else {
                tail += c.stop->flush();
            }
            d.text += tail;
            if (ev.finish == FinishReason::ERROR)
                result.error = ev.error.empty() ? "generation failed" : ev.error;
        }
        if (d.finish != FinishReason::NONE) {
            c.done = true;
            --active;
            if (i == 0) result.finish = finish_reason_name(d.finish);
        }
        if (!on_delta(d)) {
            result.cancelled = true;
            abort_all();
            return false;
        }
        return true;
    };

    // Direct delivery: the engine's thread handles the events between a choice's first and its final
    // one while this thread sleeps on `bell`; this thread handles everything else, and anything the
    // engine's thread left (lock busy, a write kept back, an exception to rethrow here).
    auto lock = std::make_shared<std::mutex>();
    auto bell = std::make_shared<Doorbell>();
    std::exception_ptr direct_error;
    std::vector<std::shared_ptr<DirectDelivery>> directs;
    if (direct_delivery_enabled()) {
        for (size_t i = 0; i < choices.size(); ++i) {
            auto d = std::make_shared<DirectDelivery>();
            d->lock = lock;
            d->bell = bell;
            d->handle = [&, i]() -> bool {
                Choice& c = choices[i];
                if (c.done || result.cancelled || direct_error || first_token) return false;
                try {
                    NonBlockingWrites scope;
                    TokenEvent ev;
                    while (c.stream->pop_nonfinal(ev))
                        if (!handle_event(i, std::move(ev)) || c.done || scope.deferred()) return false;
                } catch (...) {
                    direct_error = std::current_exception();
                    return false;
                }
                return !c.stream->has_events();  // a final event is left for this thread
            };
            choices[i].stream->set_direct(d);
            directs.push_back(std::move(d));
        }
    }
    // However this frame is left (an exception included), the engine's thread must not call into it
    // any more, and no sequence keeps generating for a reader that is gone.
    struct Withdraw {
        std::mutex& lock;
        std::vector<std::shared_ptr<DirectDelivery>>& directs;
        decltype(abort_all)& abort_unfinished;
        ~Withdraw() {
            std::lock_guard<std::mutex> hold(lock);
            for (auto& d : directs) d->handle = nullptr;
            abort_unfinished();
        }
    } withdraw{*lock, directs, abort_all};

    auto last_poll = Clock::now();
    for (;;) {
        bool progressed = false;
        {
            std::lock_guard<std::mutex> hold(*lock);
            if (direct_error) std::rethrow_exception(direct_error);
            if (result.cancelled) return result;
            for (size_t i = 0; i < choices.size(); ++i) {
                Choice& c = choices[i];
                TokenEvent ev;
                while (!c.done && c.stream->pop(ev, std::chrono::milliseconds(0))) {
                    progressed = true;
                    if (!handle_event(i, std::move(ev))) return result;
                }
            }
            if (active == 0) break;
        }
        const auto now = Clock::now();
        if (!progressed || now - last_poll > std::chrono::milliseconds(50)) {
            last_poll = now;
            std::lock_guard<std::mutex> hold(*lock);
            if (client_gone && client_gone()) {
                result.cancelled = true;
                abort_all();
                return result;
            }
        }
        if (progressed) continue;
        if (!directs.empty()) {
            bell->wait(std::chrono::milliseconds(20));
        } else {
            for (Choice& c : choices)
                if (!c.done) {
                    c.stream->wait_for_event(std::chrono::milliseconds(20));
                    break;
                }
        }
    }
    return result;
}

}  // namespace hy::api
