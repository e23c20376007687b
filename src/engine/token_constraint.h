// A per-request logits processor the sampler consults at every step (issues 8 and 9): the thinking
// budget forces the end-of-thinking sequence token by token (spec/api.md §8.3), a grammar masks the
// logits row once reasoning is over (structured outputs, tool_choice required/named). The sampler
// calls it from Sampler::sample, so every scheduler gets it without knowing about it. The concrete
// processors live in api/constraints/ (they share the request's chat::ReasoningState).
//
// Threading: one object per sequence, called only from the engine thread that samples it.
// Future: the mask for step t+1 could be computed while the forward pass of step t runs.
#pragma once

#include <cstdint>

namespace hy {

class TokenConstraint {
  public:
    virtual ~TokenConstraint() = default;
    // The token the sequence must take next, or -1 when sampling is free (forced tokens count toward
    // max_tokens like any other).
    virtual int32_t forced_token() = 0;
    // Sets the logits of disallowed tokens to -inf (row of n floats, n may exceed the vocabulary).
    // Called only when forced_token() returned -1; EOS is allowed or not through this mask too.
    virtual void mask_logits(float* logits, int64_t n) = 0;
    // The token this step produced (forced or sampled).
    virtual void accept(int32_t token) = 0;
};

}  // namespace hy
