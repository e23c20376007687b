// The fused Mamba2 decode step (issue 10): for one new token of one sequence, the causal conv update
// + SiLU (spec/model.md §2.2.2), the SSM state update and readout with the D skip (§2.2.6) and the
// gated RMSNorm (§2.2.7), done group by group. A group's heads read only that group's B and C
// channels, and the norm groups are the SSM groups (mamba_group_size = Di/G), so each group is an
// independent task: one parallel region per layer instead of a serial conv, a parallel scan and a
// serial norm, and the group's conv window, state and outputs are touched once while in cache.
// The arithmetic is the unfused path's, operation for operation, so results are bit-identical.
#pragma once

#include <cstdint>

#include "kernels/ssm_scan.h"

namespace hy {

struct MambaStepArgs {
    const float* xbc_in;  // [Cd] pre-conv x | B | C of the token (a row of the in_proj output)
    const float* z;       // [Di] gate (the same row)
    const float* dt;      // [H] softplus'ed, clamped
    float* conv_state;    // [K−1, Cd]
    float* ssm_state;     // [H, P, N]
    float* xbc;           // [Cd] scratch: the conv output
    float* y;             // [Di] scratch: the SSM output
    float* out;           // [Di] gated, normalised: the out_proj input
    const float* conv_w;  // [Cd, K]
    const float* conv_b;  // [Cd]
    const float* A;       // [H]
    const float* D;       // [H]
    const float* norm_w;  // [Di]
    int64_t H, P, N, G, K;
    float eps;
};

// Group g of the step: conv of the group's x, B and C channels, its heads' scan, its norm group.
void mamba_step_group(const MambaStepArgs& a, int64_t g);

// What group g's step reads first from its sequence's state: its conv state rows and the start of
// its SSM state (the scan prefetches the rest as it goes, kernel_impl.h). Issued for the next task
// while one runs: each task's state lies elsewhere in memory, cold since the sequence's last token.
void prefetch_step_group(const MambaStepArgs& a, int64_t g);

}  // namespace hy
