// Gives every F32 matrix the forward pass multiplies (mixers, experts, LM head, MTP projection) a
// 16-row-panel copy (kernels/f32_panels.h) for the outer-product GEMM. One huge-page region holds
// all copies; ModelWeights owns it. The row-major views stay for everything else (embedding rows,
// inspection). The copy doubles the resident bytes of F32 matrices: F32 is the exact reference
// dtype of the test models; served checkpoints are BF16 or quantised and are not copied.
#pragma once

#include <cstdint>

#include "model/model_weights.h"

namespace hy {

// Returns the bytes copied: 0 when no matrix is F32, or when the copy would take more than half of
// the memory available (the row-major F32 path then serves).
uint64_t pack_f32_matrices(ModelWeights& w);

}  // namespace hy
