#include "kernels/conv1d.h"

#include <cstring>

#include "kernels/isa.h"

namespace hy::kernels {

void conv1d_silu(const float* x, int64_t ldx, int64_t T, int64_t C, int64_t K, const float* w, const float* b,
                 float* state, float* out, int64_t ldo, int64_t ld_state) {
    const int64_t lds = ld_state > 0 ? ld_state : C;
    kernels().conv1d_silu_rows(ConvArgs{x, ldx, T, C, K, w, b, state, lds, out, ldo});
    // Shift: new state row i = stream row T−(K−1)+i (row q ≥ 0 is a new row, q < 0 the state row
    // K−1+q). Rows read from the old state lie at or after the one written (T ≥ 1), so ascending
    // order is safe in place.
    for (int64_t i = 0; i + 1 < K; ++i) {
        const int64_t q = T - (K - 1) + i;
        const float* src = q >= 0 ? x + q * ldx : state + (K - 1 + q) * lds;
        float* dst = state + i * lds;
        if (src != dst) std::memmove(dst, src, static_cast<size_t>(C) * sizeof(float));
    }
}

void conv1d_silu_step(const float* x, int64_t C, int64_t K, const float* w, const float* b, float* state,
                      int64_t ld_state, float* out) {
    // The T = 1 case of conv1d_silu over a channel slice: the same kernel, so the same bits.
    conv1d_silu(x, C, 1, C, K, w, b, state, out, C, ld_state);
}

}  // namespace hy::kernels
