#include "kernels/conv1d.h"

#include "kernels/isa.h"

namespace hy::kernels {

void conv1d_silu(const float* x, int64_t ldx, int64_t T, int64_t C, int64_t K, const float* w, const float* b,
                 float* state, float* out, int64_t ldo, int64_t ld_state) {
    const int64_t lds = ld_state > 0 ? ld_state : C;
    // Row q of the window stream: q >= 0 is a new row, q < 0 the state row K−1+q.
    auto row = [&](int64_t q) { return q >= 0 ? x + q * ldx : state + (K - 1 + q) * lds; };
    const auto silu = kernels().silu;
    for (int64_t t = 0; t < T; ++t) {
        float* o = out + t * ldo;
        for (int64_t c = 0; c < C; ++c) o[c] = b[c];
        for (int64_t j = 0; j < K; ++j) {
            const float* src = row(t - K + 1 + j);
            for (int64_t c = 0; c < C; ++c) o[c] += w[c * K + j] * src[c];
        }
        silu(o, C);
    }
    // Shift: new state row i = stream row T−(K−1)+i. Rows read from the old state lie at or after
    // the one written (T ≥ 1), so ascending order is safe in place.
    for (int64_t i = 0; i + 1 < K; ++i) {
        const float* src = row(T - (K - 1) + i);
        float* dst = state + i * lds;
        if (src != dst)
            for (int64_t c = 0; c < C; ++c) dst[c] = src[c];
    }
}

void conv1d_silu_step(const float* x, int64_t C, int64_t K, const float* w, const float* b, float* state,
                      int64_t ld_state, float* out) {
    // Same summation order as conv1d_silu (bias, then the taps oldest first): bit-identical results.
    for (int64_t c = 0; c < C; ++c) out[c] = b[c];
    for (int64_t j = 0; j + 1 < K; ++j) {
        const float* src = state + j * ld_state;
        for (int64_t c = 0; c < C; ++c) out[c] += w[c * K + j] * src[c];
    }
    for (int64_t c = 0; c < C; ++c) out[c] += w[c * K + K - 1] * x[c];
    kernels().silu(out, C);
    // Shift the window by one row: the oldest drops out, x becomes the newest.
    for (int64_t j = 0; j + 2 < K; ++j)
        for (int64_t c = 0; c < C; ++c) state[j * ld_state + c] = state[(j + 1) * ld_state + c];
    if (K > 1)
        for (int64_t c = 0; c < C; ++c) state[(K - 2) * ld_state + c] = x[c];
}

}  // namespace hy::kernels
