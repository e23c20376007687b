#include "api/generation_run.h"

#include <algorithm>
#include <chrono>
#include <memory>

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
    if (f.params.max_tokens <= 0) {  // completions with max_tokens 0 (echo only): nothing to generate
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
    auto last_poll = Clock::now();
    while (active > 0) {
        bool progressed = false;
        for (size_t i = 0; i < choices.size(); ++i) {
            Choice& c = choices[i];
            if (c.done) continue;
            TokenEvent ev;
            if (!c.stream->pop(ev, std::chrono::milliseconds(progressed ? 0 : 20))) continue;
            progressed = true;
            if (ev.cached_tokens >= 0)
                result.cached_tokens = std::max(result.cached_tokens, ev.cached_tokens);
            if (first_token && ev.token >= 0) {
                first_token = false;
                result.ttft_s = std::chrono::duration<double>(Clock::now() - t0).count();
            }
            ChoiceDelta d;
            d.index = static_cast<int>(i);
            if (ev.token >= 0) {
                ++result.completion_tokens;
                d.tokens.push_back({ev.token, ev.logprob, std::move(ev.top)});
                d.prompt_logprobs = std::move(ev.prompt_logprobs);
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
                return result;
            }
        }
        const auto now = Clock::now();
        if (!progressed || now - last_poll > std::chrono::milliseconds(50)) {
            last_poll = now;
            if (client_gone && client_gone()) {
                result.cancelled = true;
                abort_all();
                return result;
            }
        }
    }
    return result;
}

}  // namespace hy::api
