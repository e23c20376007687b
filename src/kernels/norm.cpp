#include "kernels/norm.h"

#include <cmath>

#include "kernels/isa.h"

namespace hy::kernels {

namespace {
// Sum of squares in double: the normaliser is computed once per row, so precision is free. Eight
// partial sums (element i into sum i % 8, then added pairwise): one chain of n dependent double adds
// took ~4n cycles, 1,000 for a 256-wide row, which made the 16 pre-norms of a decode step ~5% of it
// (serial, with the pool's workers waiting). The order is fixed, so every row gets the same bits
// wherever it runs.
float inv_rms(const float* x, int64_t n, float eps) {
    constexpr int kSums = 8;
    double part[kSums] = {};
    int64_t i = 0;
    for (; i + kSums <= n; i += kSums)
        for (int j = 0; j < kSums; ++j) part[j] += static_cast<double>(x[i + j]) * x[i + j];
    for (int j = 0; i < n; ++i, ++j) part[j] += static_cast<double>(x[i]) * x[i];
    const double ss =
        ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
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
