// Causal depthwise conv1d + SiLU of the Mamba2 mixer over xBC (spec/model.md §2.2.2, §2.3).
#pragma once

#include <cstdint>

namespace hy::kernels {

// The rows of outputs both functions below compute (KernelTable::conv1d_silu_rows; the state shift
// stays with them): out[t*ldo + c] = silu(b[c] + Σ_j w[c*K + j]·row(t − K + 1 + j)[c]), where row q is
// x + q*ldx for q >= 0 and the state row K − 1 + q (ld_state apart) before that.
struct ConvArgs {
    const float* x;
    int64_t ldx, T, C, K;
    const float* w;
    const float* b;
    const float* state;
    int64_t ld_state;
    float* out;
    int64_t ldo;
};

// T new rows x[t*ldx + c] (c < C), taps w[c*K + j] (j = K−1 is the current token), bias b[C].
// state [K−1, C] holds the K−1 previous pre-conv rows, oldest first (zeros at sequence start); it
// is advanced to the last K−1 rows of [state ; x]. out[t*ldo + c] = silu(b + Σ_j w·window).
// A decode step is T = 1; any split of a prompt into calls gives the same result. State rows are
// ld_state apart (0: C), so that a range of channels can be convolved on its own (the channels are
// independent: the Mamba2 layer splits a prompt's conv across threads).
void conv1d_silu(const float* x, int64_t ldx, int64_t T, int64_t C, int64_t K, const float* w, const float* b,
                 float* state, float* out, int64_t ldo, int64_t ld_state = 0);

// One decode token (T = 1) over C channels of a wider state: the same arithmetic as conv1d_silu,
// channel by channel, so the fused Mamba2 step (model/mamba2_step.h) can convolve one group's
// channels inside its own task. Pointers start at the first channel; state rows are ld_state apart.
void conv1d_silu_step(const float* x, int64_t C, int64_t K, const float* w, const float* b, float* state,
                      int64_t ld_state, float* out);

}  // namespace hy::kernels
