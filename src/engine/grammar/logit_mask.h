// The hook the sampler calls to apply a GrammarMatcher's mask (issue 9; README.md "Hook for the
// sampler"): every id the mask does not allow, and every id past the vocabulary (padded logit rows),
// gets -inf, so no sampling setting (temperature, top-k/p, logit_bias) can pick it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

namespace hy::grammar {

// logits: one row of n floats; mask: ceil(vocab_size / 32) words from fill_next_token_mask.
inline void apply_token_mask(float* logits, size_t n, const uint32_t* mask, size_t vocab_size) {
    constexpr float kNegInf = -std::numeric_limits<float>::infinity();
    for (size_t i = 0; i < n; ++i)
        if (i >= vocab_size || !((mask[i >> 5] >> (i & 31)) & 1u)) logits[i] = kNegInf;
}

}  // namespace hy::grammar
