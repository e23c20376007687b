#include "kernels/attention.h"

#include <cmath>

#include "kernels/isa.h"

namespace hy::kernels {

void attention_head(const float* q, int64_t h, int64_t Hq, int64_t Hkv, int64_t dh, const KvView& kv,
                    int64_t n_ctx, float* scores, float* out) {
    const KernelTable& k = kernels();
    const int64_t kvh = h / (Hq / Hkv);
    const float* qh = q + h * dh;
    const float scale = 1.0f / std::sqrt(static_cast<float>(dh));
    float mx = -INFINITY;
    for (int64_t j = 0; j < n_ctx; ++j) {
        scores[j] = k.dot_f32(qh, kv.k(j) + kvh * dh, dh) * scale;
        mx = scores[j] > mx ? scores[j] : mx;
    }
    double sum = 0.0;
    for (int64_t j = 0; j < n_ctx; ++j) {
        scores[j] = std::exp(scores[j] - mx);
        sum += scores[j];
    }
    const float inv = static_cast<float>(1.0 / sum);
    for (int64_t i = 0; i < dh; ++i) out[i] = 0.0f;
    for (int64_t j = 0; j < n_ctx; ++j) k.axpy(scores[j] * inv, kv.v(j) + kvh * dh, out, dh);
}

}  // namespace hy::kernels
