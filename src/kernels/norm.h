// Normalisations of spec/model.md §2.1 (RMSNorm), §2.2.7 (gated RMSNorm of the Mamba mixer) and
// the mean-subtracted LayerNorm llama.cpp applies as the MTP final norm (§5.1 open question).
#pragma once

#include <cstdint>

namespace hy::kernels {

// out = w ⊙ x / sqrt(mean(x²) + eps). out may alias x.
void rmsnorm(const float* x, const float* w, int64_t n, float eps, float* out);

// v = y ⊙ silu(z); each contiguous slice of `group` values normalised by its own RMS; out = w ⊙ v.
// out may alias y.
void gated_rmsnorm(const float* y, const float* z, const float* w, int64_t n, int64_t group, float eps,
                   float* out);

// out = w ⊙ (x − mean) / sqrt(var + eps), no bias. out may alias x.
void layernorm(const float* x, const float* w, int64_t n, float eps, float* out);

}  // namespace hy::kernels
