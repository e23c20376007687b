// POST /v1/completions (spec/api.md §4): prompt string | string[] | int[] | int[][]; choice index =
// prompt_idx * n + k; streaming chunks serialize every field, nulls included.
#include <memory>

#include "api/completion_common.h"
#include "api/constraints/reasoning_constraint.h"
#include "api/json_fields.h"
#include "api/openai_handlers.h"
#include "api/sampling_fields.h"
#include "api/structured_output.h"
#include "api/token_logprobs.h"

namespace hy::api {

namespace {

struct CompletionCall {
    std::string id = "cmpl-" + random_hex(32);
    int64_t created = unix_now();
    std::vector<std::vector<int32_t>> prompts;
    std::vector<std::string> prompt_texts;  // for echo (empty for a token-id prompt without echo)
    SamplingFields f;
    int64_t prompt_tokens = 0;
    double t0 = seconds_since_epoch_mono();
    RunOptions run;  // structured outputs: each choice's grammar (no reasoning on this endpoint)
};

std::vector<int32_t> token_ids(const Json& arr, const ServingContext& ctx) {
    std::vector<int32_t> ids;
    for (const auto& t : arr) {
        if (!t.is_number_integer()) throw schema_error("prompt", "Input should be a valid list of integers");
        const int64_t v =
            t.is_number_unsigned() && t.get<uint64_t>() > INT64_MAX ? INT64_MAX : t.get<int64_t>();
        if (v < 0 || (ctx.vocab_size > 0 && v >= ctx.vocab_size))
            throw bad_request("Token id " + std::to_string(v) + " is out of vocabulary", "prompt");
        ids.push_back(static_cast<int32_t>(v));
    }
    return ids;
}

void read_prompts(const Json& body, const ServingContext& ctx, CompletionCall& c) {
    auto it = body.find("prompt");
    if (it == body.end() || it->is_null()) throw schema_error("prompt", "Field required");
    const bool add_special = c.f.add_special_tokens.value_or(true);
    // A truncated prompt echoes what the model read.
    auto text_prompt = [&](const std::string& s) {
        c.prompts.push_back(ctx.tokenizer->encode(s, add_special));
        const bool cut = truncate_prompt(c.prompts.back(), c.f) > 0;
        c.prompt_texts.push_back(cut && c.f.echo ? ctx.tokenizer->decode(c.prompts.back(), false) : s);
    };
    // A token-id prompt's text is needed only to echo it: decoding an 8K-token prompt otherwise
    // costs ~a millisecond of every request's TTFT.
    auto id_prompt = [&](const Json& arr) {
        c.prompts.push_back(token_ids(arr, ctx));
        truncate_prompt(c.prompts.back(), c.f);
        c.prompt_texts.push_back(c.f.echo ? ctx.tokenizer->decode(c.prompts.back(), false) : std::string());
    };
    const Json& p = *it;
    if (p.is_string()) {
        text_prompt(p.get<std::string>());
    } else if (p.is_array() && !p.empty() && p[0].is_string()) {
        for (const auto& s : p) {
            if (!s.is_string()) throw schema_error("prompt", "Input should be a valid string");
            text_prompt(s.get<std::string>());
        }
    } else if (p.is_array() && !p.empty() && p[0].is_array()) {
        for (const auto& a : p) {
            if (!a.is_array()) throw schema_error("prompt", "Input should be a valid list of integers");
            id_prompt(a);
        }
    } else if (p.is_array() && !p.empty()) {
        id_prompt(p);
    } else if (!p.is_array()) {
        throw schema_error("prompt", "Input should be a valid string or list");
    }
    if (c.prompts.empty()) throw bad_request("Prompt cannot be empty", "prompt");
    for (const auto& ids : c.prompts)
        if (ids.empty()) throw bad_request("Prompt cannot be empty", "prompt");
}

// {"text_offset","token_logprobs","tokens","top_logprobs"} for the tokens of one delta.
OJson completion_logprobs(const ServingContext& ctx, const std::vector<GeneratedToken>& tokens, size_t offset,
                          bool as_ids) {
    OJson lp = {{"text_offset", OJson::array()},
                {"token_logprobs", OJson::array()},
                {"tokens", OJson::array()},
                {"top_logprobs", OJson::array()}};
    for (const auto& t : tokens) {
        const std::string text = logprob_token(ctx, t.token, as_ids);
        lp["text_offset"].push_back(offset);
        offset += text.size();
        lp["token_logprobs"].push_back(t.logprob);
        lp["tokens"].push_back(text);
        OJson top = OJson::object();
        for (const auto& alt : t.top) top[logprob_token(ctx, alt.token, as_ids)] = alt.logprob;
        lp["top_logprobs"].push_back(top);
    }
    return lp;
}

// The echoed prompt's share of completion logprobs (vLLM echo + logprobs): the first prompt token has
// null logprob and top_logprobs (nothing predicts it); offsets count the tokens' texts from 0 and
// `offset` ends after the last prompt token.
OJson prompt_logprobs_json(const ServingContext& ctx, const std::vector<int32_t>& prompt,
                           const std::vector<PromptLogprob>& lps, size_t n_top, size_t& offset, bool as_ids) {
    OJson lp = completion_logprobs(ctx, {}, 0, as_ids);
    for (size_t p = 0; p < prompt.size(); ++p) {
        const std::string text = logprob_token(ctx, prompt[p], as_ids);
        lp["text_offset"].push_back(offset);
        offset += text.size();
        lp["tokens"].push_back(text);
        if (p == 0 || p - 1 >= lps.size()) {
            lp["token_logprobs"].push_back(nullptr);
            lp["top_logprobs"].push_back(nullptr);
            continue;
        }
        lp["token_logprobs"].push_back(lps[p - 1].logprob);
        OJson top = OJson::object();
        const auto& alts = lps[p - 1].top;  // the engine computed max(logprobs, prompt_logprobs) best
        for (size_t k = 0; k < alts.size() && k < n_top; ++k)
            top[logprob_token(ctx, alts[k].token, as_ids)] = alts[k].logprob;
        lp["top_logprobs"].push_back(top);
    }
    return lp;
}

void append_logprobs(OJson& into, const OJson& more) {
    for (const char* k : {"text_offset", "token_logprobs", "tokens", "top_logprobs"})
        for (const auto& v : more[k]) into[k].push_back(v);
}

OJson choice_json(int index, const std::string& text, OJson logprobs, FinishReason finish,
                  OJson stop_reason) {
    return {
        {"index", index},
        {"text", text},
        {"logprobs", std::move(logprobs)},
        {"finish_reason", finish == FinishReason::NONE ? OJson(nullptr) : OJson(finish_reason_name(finish))},
        {"stop_reason", std::move(stop_reason)},
        {"prompt_token_ids", nullptr},
        {"token_ids", nullptr}};
}

void stream_completion(ServingContext& ctx, const CompletionCall& c, BodyWriter& w) {
    const bool want_lp = c.f.params.top_logprobs >= 0;
    const size_t n_choices = c.prompts.size() * static_cast<size_t>(c.f.n);
    std::vector<bool> echoed(n_choices, !c.f.echo);
    std::vector<size_t> offsets(n_choices, 0);
    bool alive = true;
    int64_t completion = 0;
    auto on_delta = [&](const ChoiceDelta& d) {
        completion += static_cast<int64_t>(d.tokens.size());
        const size_t i = static_cast<size_t>(d.index);
        std::string text = d.text;
        OJson lp = nullptr;
        if (!echoed[i]) {  // the first text of a choice carries the echoed prompt (and its logprobs)
            const size_t p = i / static_cast<size_t>(c.f.n);
            text = c.prompt_texts[p] + text;
            echoed[i] = true;
            if (want_lp)
                lp = prompt_logprobs_json(ctx, c.prompts[p], d.prompt_logprobs,
                                          static_cast<size_t>(c.f.params.top_logprobs), offsets[i],
                                          c.f.tokens_as_ids);
        }
        const bool final = d.finish != FinishReason::NONE;
        if (text.empty() && !final && !want_lp) return alive;
        if (want_lp) {
            OJson gen = completion_logprobs(ctx, d.tokens, offsets[i], c.f.tokens_as_ids);
            if (lp.is_null())
                lp = std::move(gen);
            else
                append_logprobs(lp, gen);
        }
        offsets[i] += d.text.size();
        OJson ch = {
            {"id", c.id}, {"object", "text_completion"}, {"created", c.created}, {"model", ctx.model_name()}};
        ch["choices"] =
            OJson::array({choice_json(d.index, text, lp, d.finish, final ? d.stop_reason : OJson(nullptr))});
        ch["usage"] = c.f.continuous_usage_stats ? usage_json(c.prompt_tokens, completion) : OJson(nullptr);
        return alive = alive && w.write(sse(ch));
    };
    RunResult r = run_generation(
        ctx, c.prompts, c.f, on_delta, [&] { return w.client_gone(); }, c.run);
    if (!r.error.empty() && alive)
        alive = w.write(sse(error_json(Error(r.error, 500, "InternalServerError"))));
    if (c.f.include_usage && !r.cancelled && alive) {
        OJson ch = {{"id", c.id},
                    {"object", "text_completion"},
                    {"created", c.created},
                    {"model", ctx.model_name()},
                    {"choices", OJson::array()},
                    {"usage", usage_json(c.prompt_tokens, r.completion_tokens,
                                         ctx.usage_cached_tokens(r.cached_tokens))}};
        alive = w.write(sse(ch));
    }
    if (alive) w.write(kSseDone);
    log_request(c.id, "/v1/completions", c.prompt_tokens, r, seconds_since_epoch_mono() - c.t0);
}

void complete_completion(ServingContext& ctx, const CompletionCall& c, BodyWriter& w) {
    std::vector<ChoiceFold> folds;
    RunResult r;
    if (!run_folded(ctx, c.prompts, c.f, w, c.id, "/v1/completions", c.prompt_tokens, c.t0, folds, r, c.run))
        return;
    OJson choices = OJson::array();
    for (size_t i = 0; i < folds.size(); ++i) {
        const std::string echo = c.f.echo ? c.prompt_texts[i / static_cast<size_t>(c.f.n)] : std::string();
        OJson lp = nullptr;
        if (c.f.params.top_logprobs >= 0) {
            size_t offset = 0;
            lp = c.f.echo ? prompt_logprobs_json(
                                ctx, c.prompts[i / static_cast<size_t>(c.f.n)], folds[i].prompt_logprobs,
                                static_cast<size_t>(c.f.params.top_logprobs), offset, c.f.tokens_as_ids)
                          : completion_logprobs(ctx, {}, 0, c.f.tokens_as_ids);
            append_logprobs(lp, completion_logprobs(ctx, folds[i].tokens, offset, c.f.tokens_as_ids));
        }
        choices.push_back(choice_json(static_cast<int>(i), echo + folds[i].text, lp, folds[i].finish,
                                      folds[i].stop_reason));
        if (c.f.prompt_logprobs >= 0)
            choices.back()["prompt_logprobs"] =
                vllm_prompt_logprobs(ctx, c.prompts[i / static_cast<size_t>(c.f.n)], folds[i].prompt_logprobs,
                                     static_cast<size_t>(c.f.prompt_logprobs));
        if (c.f.return_token_ids) {
            choices.back()["prompt_token_ids"] = c.prompts[i / static_cast<size_t>(c.f.n)];
            choices.back()["token_ids"] = token_ids_json(folds[i].tokens, true);
        }
    }
    OJson out = response_json(c.id, "text_completion", c.created, ctx, std::move(choices), c.prompt_tokens,
                              r.completion_tokens, ctx.usage_cached_tokens(r.cached_tokens));
    out["kv_transfer_params"] = nullptr;
    w.write(dump(out));
}

}  // namespace

ApiResponse handle_completions(ServingContext& ctx, const std::string& body_text) {
    try {
        OJson body = parse_body(body_text);
        check_model(body, ctx);
        if (body.contains("suffix") && !body["suffix"].is_null())
            throw bad_request("suffix is not currently supported", "suffix");
        auto call = std::make_shared<CompletionCall>();
        call->f = read_sampling_fields(body, ctx, false);
        read_prompts(body, ctx, *call);
        // The context check uses the longest prompt; every prompt gets the same max_tokens (vLLM checks
        // each prompt; with one prompt this is identical).
        size_t longest = 0;
        for (const auto& p : call->prompts) {
            longest = std::max(longest, p.size());
            call->prompt_tokens += static_cast<int64_t>(p.size());
        }
        finish_max_tokens(call->f, static_cast<int64_t>(longest), ctx, false);
        // echo + logprobs: the prompt tokens' logprobs too (vLLM), from the engine's prefill.
        if (call->f.echo && call->f.params.top_logprobs >= 0)
            call->run.prompt_logprobs = call->f.params.top_logprobs;
        call->run.prompt_logprobs = std::max(call->run.prompt_logprobs, call->f.prompt_logprobs);
        // Structured outputs (issue 9): the whole completion is constrained from its first token.
        ConstraintSpec spec;
        spec.grammar = compile_output_format(read_output_format(body));
        if (spec.grammar) {
            spec.vocab = grammar_vocabulary(ctx);
            call->run.make_constraint = [spec](size_t) {
                return std::make_shared<ReasoningConstraint>(spec);
            };
        }
        return generation_response(ctx, call, call->f.stream, &stream_completion, &complete_completion);
    } catch (...) {
        return error_response(std::current_exception());
    }
}

}  // namespace hy::api
