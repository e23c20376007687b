// Conversion of one stored weight row to fp32, for every weight dtype the loader accepts
// (spec: weights stay in their stored dtype and are converted on the fly inside the matmul).
// Block layouts are GGML's (Q8_0, Q4_0: 32 values; Q4_K, Q6_K: 256-value super-blocks).
#pragma once

#include <cstdint>

#include "core/dtype.h"

namespace hy::kernels {

// Writes n fp32 values decoded from `src` (n must be a multiple of the dtype's block size).
// `scale` multiplies F8_E4M3 values (per-tensor weight_scale); other dtypes ignore it.
void convert_row(DType dtype, const uint8_t* src, float* dst, int64_t n, float scale = 1.0f);

}  // namespace hy::kernels
