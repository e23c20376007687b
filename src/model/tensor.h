// A view of one stored tensor inside a memory-mapped file. Nothing is copied.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/dtype.h"

namespace hy {

struct TensorView {
    std::string name;  // name as stored in the file (format-specific)
    DType dtype = DType::F32;
    std::vector<int64_t> shape;  // PyTorch order, outermost first ([out, in] for a matrix); GGUF ne reversed
    const uint8_t* data = nullptr;
    uint64_t nbytes = 0;
    float scale = 1.0f;  // F8_E4M3: per-tensor dequantisation scale from the `weight_scale` sidecar
    // F32 matrices the model multiplies: the same values repacked in 16-row panels
    // (kernels/f32_panels.h), owned by the ModelWeights; kernels::matmul uses them when set.
    const float* panels = nullptr;
    // The end of the region those panels lie in. Prefetches may run up to it, past this matrix into
    // the ones packed after it, which the model often multiplies next (a MoE layer's experts in order;
    // q, k and v).
    const float* panels_end = nullptr;
    // BF16 matrices on the vdpbf16ps route: rows [0, 16 * (rows / 16)) rewritten in place as 16-row
    // panels (kernels/bf16_matmul.h, pack_bf16_panels_in_place), the rows after them as stored. Set by
    // the loader (model/bf16_panels.h) only; the other BF16 readers must not see such a view.
    bool bf16_panels = false;

    bool empty() const { return data == nullptr; }
    int64_t numel() const {
        int64_t n = 1;
        for (int64_t d : shape) n *= d;
        return n;
    }
    int64_t cols() const { return shape.empty() ? 1 : shape.back(); }  // innermost dimension
    int64_t rows() const { return shape.empty() ? 1 : numel() / cols(); }
    uint64_t row_bytes() const { return dtype_bytes(dtype, static_cast<uint64_t>(cols())); }
    const uint8_t* row(int64_t r) const { return data + static_cast<uint64_t>(r) * row_bytes(); }
};

}  // namespace hy
