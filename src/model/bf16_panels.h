// Rewrites the BF16 matrices the forward pass multiplies into 16-row panels in place
// (kernels/bf16_matmul.h, pack_bf16_panels_in_place), where the vdpbf16ps route serves them and the
// weights are this process's own copy (core/mapped_file.h, HUGE_PAGE_COPY): decode then streams each
// matrix sequentially. Nothing is copied, so RSS stays the file size. Mapped files, the exact
// fp32-activation path (HYSERVE_BF16_ACTIVATIONS=f32) and CPUs without AVX-512 BF16 keep the rows as
// stored. The embedding table is never rewritten (rows are looked up by token), nor a head tied to it.
#pragma once

#include <cstdint>

#include "model/model_weights.h"

namespace hy {

// Returns the bytes rewritten (0 when nothing qualifies).
uint64_t pack_bf16_matrices(ModelWeights& w);

}  // namespace hy
