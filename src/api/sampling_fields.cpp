#include "api/sampling_fields.h"

#include <fmt/format.h>

#include <algorithm>

namespace hy::api {

namespace {

// Python's repr of a float, as in vLLM's messages ("got -1.0").
std::string pyfloat(double v) {
    std::string s = fmt::format("{}", v);
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
    return s;
}

}  // namespace

void check_model(const Json& body, const ServingContext& ctx) {
    auto model = opt_string(body, "model");
    if (!model || model->empty()) return;
    for (const auto& n : ctx.served_names)
        if (n == *model) return;
    throw Error("The model `" + *model + "` does not exist.", 404, "NotFoundError", "model");
}

SamplingFields read_sampling_fields(const Json& body, const ServingContext& ctx, bool chat) {
    SamplingFields f;
    SamplingParams& p = f.params;
    const GenerationDefaults& d = ctx.defaults;

    f.stream = opt_bool(body, "stream").value_or(false);
    if (const Json* so = opt_object(body, "stream_options")) {
        if (!f.stream)
            throw bad_request("Stream options can only be defined when `stream=True`.", "stream_options");
        f.include_usage = opt_bool(*so, "include_usage").value_or(false);
        f.continuous_usage_stats = opt_bool(*so, "continuous_usage_stats").value_or(false);
    }
    if (f.stream && ctx.force_include_usage) f.include_usage = true;
    f.echo = opt_bool(body, "echo").value_or(false);
    f.return_token_ids = opt_bool(body, "return_token_ids").value_or(false);
    f.n = opt_int(body, "n").value_or(1);
    if (f.n < 1) throw bad_request(fmt::format("n must be at least 1, got {}.", f.n), "n");
    if (f.n > 128) throw bad_request(fmt::format("n must be at most 128, got {}.", f.n), "n");

    p.temperature = opt_number(body, "temperature").value_or(d.temperature.value_or(1.0));
    p.top_p = opt_number(body, "top_p").value_or(d.top_p.value_or(1.0));
    p.top_k = opt_int(body, "top_k").value_or(d.top_k.value_or(0));
    p.min_p = opt_number(body, "min_p").value_or(d.min_p.value_or(0.0));
    p.repetition_penalty =
        opt_number(body, "repetition_penalty").value_or(d.repetition_penalty.value_or(1.0));
    p.presence_penalty = opt_number(body, "presence_penalty").value_or(0.0);
    p.frequency_penalty = opt_number(body, "frequency_penalty").value_or(0.0);
    if (p.temperature < 0)
        throw bad_request("temperature must be non-negative, got " + pyfloat(p.temperature) + ".",
                          "temperature");
    if (p.top_p <= 0 || p.top_p > 1)
        throw bad_request("top_p must be in (0, 1], got " + pyfloat(p.top_p) + ".", "top_p");
    if (p.top_k < -1)
        throw bad_request(fmt::format("top_k must be 0 (disable), or at least 1, got {}.", p.top_k), "top_k");
    if (p.top_k == -1) p.top_k = 0;
    if (p.min_p < 0 || p.min_p > 1)
        throw bad_request("min_p must be in [0, 1], got " + pyfloat(p.min_p) + ".", "min_p");
    if (p.repetition_penalty <= 0)
        throw bad_request(
            "repetition_penalty must be greater than zero, got " + pyfloat(p.repetition_penalty) + ".",
            "repetition_penalty");
    if (p.presence_penalty < -2 || p.presence_penalty > 2)
        throw bad_request("presence_penalty must be in [-2, 2], got " + pyfloat(p.presence_penalty) + ".",
                          "presence_penalty");
    if (p.frequency_penalty < -2 || p.frequency_penalty > 2)
        throw bad_request("frequency_penalty must be in [-2, 2], got " + pyfloat(p.frequency_penalty) + ".",
                          "frequency_penalty");
    if (p.temperature < 1e-5) {  // greedy: the other cuts are off (spec §2.3)
        p.top_p = 1.0, p.top_k = 0, p.min_p = 0.0;
        if (f.n > 1)
            throw bad_request("n must be 1 when using greedy sampling, got " + std::to_string(f.n) + ".",
                              "n");
    }

    if (auto seed = opt_int(body, "seed")) p.seed = static_cast<uint64_t>(*seed);

    if (auto mct = opt_int(body, "max_completion_tokens"))
        f.max_tokens = mct;
    else
        f.max_tokens = opt_int(body, "max_tokens");
    if (f.max_tokens && *f.max_tokens < (chat ? 1 : 0))
        throw bad_request(fmt::format("max_tokens must be at least {}, got {}.", chat ? 1 : 0, *f.max_tokens),
                          "max_tokens");
    p.min_tokens = opt_int(body, "min_tokens").value_or(0);
    if (p.min_tokens < 0)
        throw bad_request(fmt::format("min_tokens must be greater than or equal to 0, got {}.", p.min_tokens),
                          "min_tokens");
    if (f.max_tokens && p.min_tokens > *f.max_tokens)
        throw bad_request(fmt::format("min_tokens must be less than or equal to max_tokens={}, got {}.",
                                      *f.max_tokens, p.min_tokens),
                          "min_tokens");
    p.ignore_eos = opt_bool(body, "ignore_eos").value_or(false);
    f.priority = opt_int(body, "priority").value_or(0);
    if (f.priority != 0 && !ctx.priority_scheduling)  // vLLM's check and wording
        throw bad_request(fmt::format("Got priority {} but Priority scheduling is not enabled.", f.priority),
                          "priority");
    if (auto salt = opt_string(body, "cache_salt")) {
        if (salt->empty())
            throw bad_request("Parameter 'cache_salt' must be a non-empty string if provided.", "cache_salt");
        f.cache_salt = *salt;
    }
    f.skip_special_tokens = opt_bool(body, "skip_special_tokens").value_or(true);
    f.include_stop_str_in_output = opt_bool(body, "include_stop_str_in_output").value_or(false);

    f.stop = opt_string_list(body, "stop");
    for (const auto& s : f.stop)
        if (s.empty()) throw bad_request("stop cannot contain an empty string.", "stop");
    const int64_t V = static_cast<int64_t>(ctx.tokenizer ? ctx.tokenizer->vocab_size() : 0);
    for (int64_t t : opt_int_list(body, "stop_token_ids")) {
        if (t < 0 || t > INT32_MAX)
            throw bad_request(fmt::format("stop_token_ids contains invalid token id {}.", t),
                              "stop_token_ids");
        p.stop_token_ids.push_back(static_cast<int32_t>(t));
    }

    if (const Json* bias = opt_object(body, "logit_bias")) {
        for (const auto& [key, value] : bias->items()) {
            char* end = nullptr;
            errno = 0;
            const long long id = std::strtoll(key.c_str(), &end, 10);
            if (key.empty() || *end != '\0' || errno != 0)
                throw schema_error("logit_bias", "keys must be token ids, got '" + key + "'");
            if (!value.is_number() || value.is_boolean())
                throw schema_error("logit_bias", "values must be numbers");
            if (id < 0 || (V > 0 && id >= V))
                throw bad_request(
                    fmt::format("token_id(s) [{}] in logit_bias contain out-of-vocab token ids. "
                                "Vocabulary size: {}",
                                id, V),
                    "logit_bias");
            const double b = std::clamp(value.get<double>(), -100.0, 100.0);
            p.logit_bias.push_back({static_cast<int32_t>(id), static_cast<float>(b)});
        }
    }

    // [ext] vLLM's token filters. allowed_token_ids: only these may be sampled.
    if (body.contains("allowed_token_ids") && !body["allowed_token_ids"].is_null()) {
        const std::vector<int64_t> ids = opt_int_list(body, "allowed_token_ids");
        if (ids.empty()) throw bad_request("allowed_token_ids is not None and empty!", "allowed_token_ids");
        for (int64_t t : ids) {
            if (t < 0 || (V > 0 && t >= V))
                throw bad_request("allowed_token_ids contains out-of-vocab token id!", "allowed_token_ids");
            p.allowed_token_ids.push_back(static_cast<int32_t>(t));
        }
        std::sort(p.allowed_token_ids.begin(), p.allowed_token_ids.end());
        p.allowed_token_ids.erase(std::unique(p.allowed_token_ids.begin(), p.allowed_token_ids.end()),
                                  p.allowed_token_ids.end());
    }
    // bad_words: each word's tokens, and those of the word after a space, so the word is banned at the
    // start of the text and in its middle. vLLM (SamplingParams.update_from_tokenizer) adds the spaced
    // form only when it has as many tokens as the bare one, so a word that splits bare but is one token
    // after a space (" buffers" against "buff"+"ers") stayed allowed mid-text; here it is banned.
    for (const std::string& word : opt_string_list(body, "bad_words")) {
        if (!ctx.tokenizer) break;
        const std::string bare = word.substr(std::min(word.size(), word.find_first_not_of(" \t\n\r\f\v")));
        std::vector<int32_t> ids = ctx.tokenizer->encode(bare, false);
        if (ids.empty()) continue;
        std::vector<int32_t> spaced = ctx.tokenizer->encode(" " + bare, false);
        const bool distinct = !spaced.empty() && spaced != ids;
        p.bad_words.push_back(std::move(ids));
        if (distinct) p.bad_words.push_back(std::move(spaced));
    }
    f.add_special_tokens = opt_bool(body, "add_special_tokens");
    f.tokens_as_ids = opt_bool(body, "return_tokens_as_token_ids").value_or(ctx.return_tokens_as_token_ids);
    f.truncate_prompt_tokens = opt_int(body, "truncate_prompt_tokens");
    if (f.truncate_prompt_tokens) {
        int64_t& n = *f.truncate_prompt_tokens;
        if (n < -1)
            throw schema_error("truncate_prompt_tokens", "Input should be greater than or equal to -1");
        if (n == -1) n = ctx.max_model_len;
        if (n > ctx.max_model_len)  // vLLM's message
            throw bad_request(
                fmt::format("truncate_prompt_tokens value ({}) is greater than max_model_len ({}). "
                            "Please, select a smaller truncation size.",
                            n, ctx.max_model_len),
                "truncate_prompt_tokens");
    }

    // Logprobs: chat has logprobs (bool) + top_logprobs (int); completions has logprobs (int).
    if (chat) {
        const bool want = opt_bool(body, "logprobs").value_or(false);
        auto top = opt_int(body, "top_logprobs");
        if (top && *top != 0 && !want)
            throw bad_request("when using `top_logprobs`, `logprobs` must be set to true.", "top_logprobs");
        if (top && (*top < -1 || *top > ctx.max_logprobs))
            throw bad_request(
                fmt::format("`top_logprobs` must be a non-negative value or -1 and at most {}, got {}.",
                            ctx.max_logprobs, *top),
                "top_logprobs");
        if (want) p.top_logprobs = static_cast<int>(top && *top == -1 ? ctx.max_logprobs : top.value_or(0));
    } else {
        auto lp = opt_int(body, "logprobs");
        if (lp && (*lp < -1 || *lp > ctx.max_logprobs))
            throw bad_request(
                fmt::format("`logprobs` must be a non-negative value or -1 and at most {}, got {}.",
                            ctx.max_logprobs, *lp),
                "logprobs");
        if (lp) p.top_logprobs = static_cast<int>(*lp == -1 ? ctx.max_logprobs : *lp);
    }
    // [ext] prompt_logprobs (vLLM): the prompt tokens' logprobs; non-streaming only, as vLLM.
    if (auto plp = opt_int(body, "prompt_logprobs")) {
        if (*plp < -1 || *plp > ctx.max_logprobs)
            throw bad_request(
                fmt::format("`prompt_logprobs` must be a non-negative value or -1 and at most {}, got {}.",
                            ctx.max_logprobs, *plp),
                "prompt_logprobs");
        if (f.stream)
            throw bad_request("`prompt_logprobs` are not available when `stream=True`.", "prompt_logprobs");
        f.prompt_logprobs = static_cast<int>(*plp == -1 ? ctx.max_logprobs : *plp);
    }
    return f;
}

size_t truncate_prompt(std::vector<int32_t>& prompt, const SamplingFields& f) {
    if (!f.truncate_prompt_tokens || static_cast<int64_t>(prompt.size()) <= *f.truncate_prompt_tokens)
        return 0;
    const size_t cut = prompt.size() - static_cast<size_t>(*f.truncate_prompt_tokens);
    prompt.erase(prompt.begin(), prompt.begin() + static_cast<std::ptrdiff_t>(cut));
    return cut;
}

void finish_max_tokens(SamplingFields& f, int64_t prompt_tokens, const ServingContext& ctx, bool chat) {
    const int64_t L = ctx.max_model_len;
    if (prompt_tokens >= L && !(f.max_tokens && *f.max_tokens == 0))
        throw bad_request(
            fmt::format("This model's maximum context length is {} tokens. However, your request has {} "
                        "input tokens. Please reduce the length of the input messages.",
                        L, prompt_tokens),
            "input_tokens");
    if (f.max_tokens && prompt_tokens + *f.max_tokens > L)
        throw bad_request(
            fmt::format("This model's maximum context length is {} tokens. However, you requested {} "
                        "output tokens and your prompt contains {} input tokens, for a total of {} "
                        "tokens. Please reduce the length of the input prompt or the number of "
                        "requested output tokens.",
                        L, *f.max_tokens, prompt_tokens, prompt_tokens + *f.max_tokens),
            "input_tokens");
    const int64_t rest = std::max<int64_t>(L - prompt_tokens, 0);
    int64_t fallback = chat ? rest : 16;
    if (ctx.defaults.max_new_tokens) fallback = *ctx.defaults.max_new_tokens;
    f.params.max_tokens = std::min(f.max_tokens.value_or(fallback), rest);
}

}  // namespace hy::api
