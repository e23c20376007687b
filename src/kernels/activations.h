// Scalar activations shared by the kernels and the model (spec/model.md §2.2, §2.6).
#pragma once

#include <cmath>

namespace hy::kernels {

inline float silu(float x) {
    return x / (1.0f + std::exp(-x));
}
// log(1 + e^x) without overflow; matches PyTorch's threshold of 20 within fp32 rounding.
inline float softplus(float x) {
    return x > 20.0f ? x : std::log1p(std::exp(x));
}
inline float relu2(float x) {
    return x > 0.0f ? x * x : 0.0f;
}

}  // namespace hy::kernels
