#include "engine/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "engine/logprobs.h"
#include "engine/token_constraint.h"

namespace hy {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();
// Below this temperature sampling is greedy (vLLM's _SAMPLING_EPS).
constexpr double kGreedyEps = 1e-5;

// The index std::max_element(x, x + n) returns — the first maximum; index 0 when x[0] is NaN, since a
// NaN never compares greater — found by a vectorizable lane-wise max and one scan for its first copy.
int32_t first_argmax(const float* x, int64_t n) {
    constexpr int W = 16;
    if (n < W || std::isnan(x[0])) return static_cast<int32_t>(std::max_element(x, x + n) - x);
    float lane[W];
    std::copy(x, x + W, lane);
    int64_t i = W;
    for (; i + W <= n; i += W)
        for (int k = 0; k < W; ++k) lane[k] = x[i + k] > lane[k] ? x[i + k] : lane[k];
    float m = *std::max_element(lane, lane + W);
    for (; i < n; ++i) m = x[i] > m ? x[i] : m;
    for (i = 0; i < n; ++i)
        if (x[i] == m) return static_cast<int32_t>(i);
    return static_cast<int32_t>(std::max_element(x, x + n) - x);  // unreachable: m is one of x
}

}  // namespace

Sampler::Sampler(const SamplingParams& params, std::vector<int32_t> eos_ids, std::span<const int32_t> prompt,
                 uint64_t seed)
    : p_(params), eos_(std::move(eos_ids)), rng_(params.seed ? *params.seed : seed) {
    plain_greedy_ = p_.temperature < kGreedyEps && p_.logit_bias.empty() && p_.repetition_penalty == 1.0 &&
                    p_.presence_penalty == 0.0 && p_.frequency_penalty == 0.0 && !p_.constraint &&
                    p_.allowed_token_ids.empty() && p_.bad_words.empty();
    if (p_.repetition_penalty != 1.0) {
        prompt_tokens_.assign(prompt.begin(), prompt.end());
        std::sort(prompt_tokens_.begin(), prompt_tokens_.end());
        prompt_tokens_.erase(std::unique(prompt_tokens_.begin(), prompt_tokens_.end()), prompt_tokens_.end());
    }
}

bool Sampler::is_stop_token(int32_t token) const {
    if (!p_.ignore_eos && std::find(eos_.begin(), eos_.end(), token) != eos_.end()) return true;
    return std::find(p_.stop_token_ids.begin(), p_.stop_token_ids.end(), token) != p_.stop_token_ids.end();
}

void Sampler::apply_penalties(int64_t V) {
    float* l = work_.data();
    // Repetition penalty (HF/vLLM): divide positive logits, multiply negative ones, for every token seen
    // in the prompt or the output.
    if (p_.repetition_penalty != 1.0) {
        const float r = static_cast<float>(p_.repetition_penalty);
        auto penalize = [&](int32_t t) {
            if (t < 0 || t >= V) return;
            l[t] = l[t] > 0 ? l[t] / r : l[t] * r;
        };
        for (int32_t t : prompt_tokens_) penalize(t);
        for (const auto& [t, c] : output_counts_)
            if (!std::binary_search(prompt_tokens_.begin(), prompt_tokens_.end(), t)) penalize(t);
    }
    // OpenAI presence/frequency penalties over the output tokens only.
    if (p_.presence_penalty != 0.0 || p_.frequency_penalty != 0.0) {
        for (const auto& [t, c] : output_counts_) {
            if (t < 0 || t >= V) continue;
            l[t] -= static_cast<float>(p_.frequency_penalty * static_cast<double>(c) + p_.presence_penalty);
        }
    }
}

void Sampler::apply_token_bans(int64_t V) {
    float* l = work_.data();
    if (!p_.allowed_token_ids.empty()) {
        if (static_cast<int64_t>(allowed_.size()) != V) {
            allowed_.assign(static_cast<size_t>(V), 0);
            for (int32_t t : p_.allowed_token_ids)
                if (t >= 0 && t < V) allowed_[static_cast<size_t>(t)] = 1;
        }
        for (int64_t i = 0; i < V; ++i)
            if (!allowed_[static_cast<size_t>(i)]) l[i] = kNegInf;
    }
    for (const auto& word : p_.bad_words) {
        const size_t n = word.size();
        if (n == 0 || word.back() < 0 || word.back() >= V || output_.size() < n - 1) continue;
        if (std::equal(word.begin(), word.end() - 1, output_.end() - static_cast<std::ptrdiff_t>(n - 1)))
            l[word.back()] = kNegInf;
    }
}

int32_t Sampler::draw(int64_t V) {
    float* l = work_.data();
    if (p_.temperature < kGreedyEps) return first_argmax(l, V);
    const float maxl = *std::max_element(l, l + V);
    if (!std::isfinite(maxl)) return first_argmax(l, V);

    // Candidates with finite logits, best first when a cut needs the order.
    order_.clear();
    for (int64_t i = 0; i < V; ++i)
        if (l[i] != kNegInf) order_.push_back(static_cast<int32_t>(i));
    const double inv_t = 1.0 / p_.temperature;
    auto by_logit = [&](int32_t a, int32_t b) { return l[a] > l[b] || (l[a] == l[b] && a < b); };
    if (p_.top_k > 0 && static_cast<size_t>(p_.top_k) < order_.size()) {
        std::nth_element(order_.begin(), order_.begin() + p_.top_k, order_.end(), by_logit);
        order_.resize(static_cast<size_t>(p_.top_k));
    }
    // Unnormalised probabilities of the tempered logits, relative to the best one.
    std::vector<double> prob(order_.size());
    for (size_t i = 0; i < order_.size(); ++i) prob[i] = std::exp((l[order_[i]] - maxl) * inv_t);
    if (p_.min_p > 0.0) {  // keep tokens with p >= min_p * p_max (p_max is 1 here)
        size_t k = 0;
        for (size_t i = 0; i < order_.size(); ++i)
            if (prob[i] >= p_.min_p) order_[k] = order_[i], prob[k++] = prob[i];
        order_.resize(k);
        prob.resize(k);
    }
    if (p_.top_p < 1.0) {
        std::vector<size_t> idx(order_.size());
        std::iota(idx.begin(), idx.end(), size_t{0});
        std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return by_logit(order_[a], order_[b]); });
        const double total = std::accumulate(prob.begin(), prob.end(), 0.0);
        std::vector<int32_t> kept;
        std::vector<double> kept_p;
        double cum = 0.0;
        for (size_t i : idx) {  // the smallest prefix whose mass reaches top_p (at least one token)
            kept.push_back(order_[i]);
            kept_p.push_back(prob[i]);
            cum += prob[i];
            if (cum >= p_.top_p * total) break;
        }
        order_.swap(kept);
        prob.swap(kept_p);
    }
    const double sum = std::accumulate(prob.begin(), prob.end(), 0.0);
    double u = std::uniform_real_distribution<double>(0.0, sum)(rng_);
    for (size_t i = 0; i < order_.size(); ++i) {
        u -= prob[i];
        if (u < 0.0) return order_[i];
    }
    return order_.back();
}

Sampler::Result Sampler::sample(const float* logits, int64_t V) {
    Result r;
    if (plain_greedy_ && n_generated_ >= p_.min_tokens) {  // nothing edits the row: its argmax, uncopied
        r.token = first_argmax(logits, V);
        record(r, logits, V);
        return r;
    }
    work_.assign(logits, logits + V);
    float* l = work_.data();

    if (n_generated_ < p_.min_tokens) {  // no EOS / stop token before min_tokens
        for (int32_t t : eos_)
            if (t >= 0 && t < V) l[t] = kNegInf;
        for (int32_t t : p_.stop_token_ids)
            if (t >= 0 && t < V) l[t] = kNegInf;
    }
    apply_token_bans(V);
    for (const auto& [t, b] : p_.logit_bias)
        if (t >= 0 && t < V) l[t] += b;
    apply_penalties(V);
    // The request's logits processor (thinking budget, grammar) decides last, so no sampling setting
    // can bring back a token it forbids.
    TokenConstraint* c = p_.constraint.get();
    const int32_t forced = c ? c->forced_token() : -1;
    if (forced >= 0) {
        r.token = forced;
    } else {
        if (c) c->mask_logits(l, V);
        r.token = draw(V);
    }
    if (c) c->accept(r.token);
    record(r, logits, V);
    return r;
}

void Sampler::record(Result& r, const float* logits, int64_t V) {
    // logprobs of the raw model output (vLLM's default logprobs mode)
    if (p_.top_logprobs >= 0) r.logprob = raw_logprobs(logits, V, r.token, p_.top_logprobs, r.top);
    ++output_counts_[r.token];
    if (!p_.bad_words.empty()) output_.push_back(r.token);
    ++n_generated_;
}

}  // namespace hy
