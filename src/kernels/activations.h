// Scalar activations shared by the kernels and the model (spec/model.md §2.2, §2.6).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace hy::kernels {

inline float silu(float x) {
    return x / (1.0f + std::exp(-x));
}
// log(1 + e^x) without overflow; matches PyTorch's threshold of 20 within fp32 rounding.
inline float softplus(float x) {
    return x > 20.0f ? x : std::log1p(std::exp(x));
}
// max(x, 0)^2 with the sign bit as the mask: GCC keeps a compare-and-select loop scalar (it may trap
// without -fno-trapping-math), and the MoE's relu2 loops were ~8% of BF16 prefill that way. Same value
// as x > 0 ? x*x : 0 for every non-NaN x (-0 gives +0).
inline float relu2(float x) {
    uint32_t b;
    std::memcpy(&b, &x, 4);
    b &= ~static_cast<uint32_t>(static_cast<int32_t>(b) >> 31);
    float r;
    std::memcpy(&r, &b, 4);
    return r * r;
}

}  // namespace hy::kernels
