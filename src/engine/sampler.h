// Turns one row of logits into the next token for one sequence (spec/api.md §2.3). Order as in vLLM:
// logprobs from the raw logits; then min_tokens masking, allowed_token_ids, bad_words, logit_bias,
// repetition/presence/frequency penalties, temperature, min_p, top_k, top_p, and a draw from the request's
// own PRNG — so the same seed and request give the same output whatever else is in the batch.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <unordered_map>
#include <vector>

#include "engine/generation_request.h"

namespace hy {

class Sampler {
  public:
    // `seed` is used when params.seed is unset (callers pass a random one).
    Sampler(const SamplingParams& params, std::vector<int32_t> eos_ids, std::span<const int32_t> prompt,
            uint64_t seed);

    struct Result {
        int32_t token = -1;
        float logprob = 0.0f;
        std::vector<TokenLogprob> top;
    };
    // logits: one row of V floats. Records the chosen token for the penalties.
    Result sample(const float* logits, int64_t V);

    int64_t n_generated() const { return n_generated_; }
    bool is_stop_token(int32_t token) const;  // EOS (unless ignore_eos) or a stop_token_ids entry

  private:
    void apply_penalties(int64_t V);
    void apply_token_bans(int64_t V);  // allowed_token_ids and bad_words
    int32_t draw(int64_t V);
    void record(Result& r, const float* logits, int64_t V);  // logprobs and the penalties' counts

    SamplingParams p_;
    std::vector<int32_t> eos_;
    std::mt19937_64 rng_;
    std::unordered_map<int32_t, int64_t> output_counts_;  // token -> times generated
    std::vector<int32_t> prompt_tokens_;                  // distinct prompt ids (repetition penalty)
    std::vector<int32_t> output_;                         // generated ids, kept for multi-token bad_words
    std::vector<uint8_t> allowed_;  // [V] allowed_token_ids as a mask, built on first use
    int64_t n_generated_ = 0;
    // Temperature 0 and nothing that edits the logits (bias, penalties, constraint).
    bool plain_greedy_ = false;
    std::vector<float> work_;     // [V] processed logits
    std::vector<int32_t> order_;  // candidate ids
};

}  // namespace hy
