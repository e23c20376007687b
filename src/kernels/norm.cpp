#include "kernels/norm.h"

#include <cmath>

#include "kernels/isa.h"

namespace hy::kernels {

namespace {
// Sum of squares in double: the normaliser is computed once per row, so precision is free.
float inv_rms(const float* x, int64_t n, float eps) {
    double ss = 0.0;
    for (int64_t i = 0; i < n; ++i) ss += static_cast<double>(x[i]) * x[i];
    return static_cast<float>(1.0 / std::sqrt(ss / static_cast<double>(n) + eps));
}
}  // namespace

void rmsnorm(const float* x, const float* w, int64_t n, float eps, float* out) {
    const float r = inv_rms(x, n, eps);
    for (int64_t i = 0; i < n; ++i) out[i] = w[i] * (x[i] * r);
}

void gated_rmsnorm(const float* y, const float* z, const float* w, int64_t n, int64_t group, float eps,
                   float* out) {
    kernels().mul_silu(y, z, out, n);
    for (int64_t g0 = 0; g0 < n; g0 += group) {
        const float r = inv_rms(out + g0, group, eps);
        for (int64_t i = g0; i < g0 + group; ++i) out[i] = w[i] * (out[i] * r);
    }
}

void layernorm(const float* x, const float* w, int64_t n, float eps, float* out) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; ++i) sum += x[i];
    const double mean = sum / static_cast<double>(n);
    double var = 0.0;
    for (int64_t i = 0; i < n; ++i) var += (x[i] - mean) * (x[i] - mean);
    const float r = static_cast<float>(1.0 / std::sqrt(var / static_cast<double>(n) + eps));
    const float m = static_cast<float>(mean);
    for (int64_t i = 0; i < n; ++i) out[i] = w[i] * ((x[i] - m) * r);
}

}  // namespace hy::kernels
