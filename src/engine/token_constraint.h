// A per-request logits processor the sampler consults at every step (issues 8 and 9): the thinking
// budget forces the end-of-thinking sequence token by token (spec/api.md §8.3), a grammar masks the
// logits row once reasoning is over (structured outputs, tool_choice required/named). The sampler
// calls it from Sampler::sample, so every scheduler gets it without knowing about it. The concrete
// processors live in api/constraints/ (they share the request's chat::ReasoningState).
//
// Threading: one object per sequence; calls are sequenced (prepare, then forced_token/mask_logits/
// accept), but prepare() may run on another thread than the sampling, so a scheduler can compute the
// next masks while the forward pass runs and join before sampling. Not wired into a scheduler yet.
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
    // Optional: compute now what mask_logits() will need for the next step (the grammar mask), e.g. on
    // a worker thread while the forward pass runs. mask_logits() computes it itself when not prepared.
    virtual void prepare() {}
};

}  // namespace hy
