#include "api/completion_common.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "api/json_fields.h"

namespace hy::api {

OJson parse_body(const std::string& body) {
    OJson j = OJson::parse(body, nullptr, false);
    if (j.is_discarded())
        throw Error("1 validation error: body: Invalid JSON: the request body is not valid JSON", 400,
                    "Bad Request");
    if (!j.is_object())
        throw Error("1 validation error: body: Input should be a valid dictionary", 400, "Bad Request");
    return j;
}

OJson token_ids_json(const std::vector<GeneratedToken>& tokens, bool wanted) {
    if (!wanted) return nullptr;
    OJson ids = OJson::array();
    for (const auto& t : tokens) ids.push_back(t.token);
    return ids;
}

void fold_delta(std::vector<ChoiceFold>& choices, const ChoiceDelta& d) {
    if (static_cast<size_t>(d.index) >= choices.size()) choices.resize(static_cast<size_t>(d.index) + 1);
    ChoiceFold& c = choices[static_cast<size_t>(d.index)];
    c.text += d.text;
    c.tokens.insert(c.tokens.end(), d.tokens.begin(), d.tokens.end());
    if (!d.prompt_logprobs.empty()) c.prompt_logprobs = d.prompt_logprobs;
    if (d.finish != FinishReason::NONE) {
        c.finish = d.finish;
        c.stop_reason = d.stop_reason;
    }
}

bool run_folded(ServingContext& ctx, const std::vector<std::vector<int32_t>>& prompts,
                const SamplingFields& f, BodyWriter& w, const std::string& id, const char* endpoint,
                int64_t prompt_tokens, double t0, std::vector<ChoiceFold>& folds, RunResult& r,
                const RunOptions& options) {
    folds.assign(prompts.size() * static_cast<size_t>(f.n), ChoiceFold{});
    r = run_generation(
        ctx, prompts, f,
        [&](const ChoiceDelta& d) {
            fold_delta(folds, d);
            return true;
        },
        [&] { return w.client_gone(); }, options);
    log_request(id, endpoint, prompt_tokens, r, seconds_since_epoch_mono() - t0);
    if (r.cancelled) return false;
    if (!r.error.empty()) {
        w.write(dump(error_json(Error(r.error, 500, "InternalServerError"))));
        return false;
    }
    return true;
}

OJson response_json(const std::string& id, const char* object, int64_t created, const ServingContext& ctx,
                    OJson choices, int64_t prompt_tokens, int64_t completion_tokens, int64_t cached_tokens) {
    return {{"id", id},
            {"object", object},
            {"created", created},
            {"model", ctx.model_name()},
            {"choices", std::move(choices)},
            {"service_tier", nullptr},
            {"system_fingerprint", nullptr},
            {"usage", usage_json(prompt_tokens, completion_tokens, cached_tokens)}};
}

void log_request(const std::string& id, const char* endpoint, int64_t prompt_tokens, const RunResult& r,
                 double total_s) {
    SPDLOG_INFO("{} {} prompt_tokens={} completion_tokens={} ttft={:.3f}s total={:.3f}s finish={}{}", id,
                endpoint, prompt_tokens, r.completion_tokens, r.ttft_s, total_s,
                r.cancelled ? "abort" : (r.finish.empty() ? "none" : r.finish),
                r.cancelled ? " (client gone)" : "");
}

double seconds_since_epoch_mono() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

OJson vllm_prompt_logprobs(const ServingContext& ctx, const std::vector<int32_t>& prompt,
                           const std::vector<PromptLogprob>& lps, size_t n_top) {
    OJson out = OJson::array({nullptr});
    for (size_t p = 1; p < prompt.size(); ++p) {
        if (p - 1 >= lps.size()) {
            out.push_back(nullptr);
            continue;
        }
        const PromptLogprob& e = lps[p - 1];
        OJson pos = OJson::object();
        pos[std::to_string(e.token)] = {
            {"logprob", e.logprob}, {"rank", e.rank}, {"decoded_token", token_text(ctx, e.token)}};
        for (size_t k = 0; k < e.top.size() && k < n_top; ++k) {
            const std::string id = std::to_string(e.top[k].token);
            if (!pos.contains(id))
                pos[id] = {{"logprob", e.top[k].logprob},
                           {"rank", static_cast<int64_t>(k + 1)},
                           {"decoded_token", token_text(ctx, e.top[k].token)}};
        }
        out.push_back(std::move(pos));
    }
    return out;
}

}  // namespace hy::api
