#include "model/mamba2_step.h"

#include <algorithm>

#include "kernels/conv1d.h"
#include "kernels/isa.h"
#include "kernels/norm.h"
#include "kernels/prefetch.h"

namespace hy {

namespace {

// Channel ranges of group g in the conv input, output and state: its heads' x, then its B, then its C.
struct GroupChannels {
    int64_t gs, Di, Cd;  // the group's x channels, all x channels, all conv channels
    int64_t c0[3], cn[3];
};
GroupChannels group_channels(const MambaStepArgs& a, int64_t g) {
    const int64_t gs = a.H / a.G * a.P, Di = a.H * a.P, GN = a.G * a.N;
    return {gs, Di, Di + 2 * GN, {g * gs, Di + g * a.N, Di + GN + g * a.N}, {gs, a.N, a.N}};
}

}  // namespace

void mamba_step_group(const MambaStepArgs& a, int64_t g) {
    const auto [gs, Di, Cd, c0, cn] = group_channels(a, g);
    const int64_t hpg = a.H / a.G, GN = a.G * a.N;
    for (int i = 0; i < 3; ++i)
        kernels::conv1d_silu_step(a.xbc_in + c0[i], cn[i], a.K, a.conv_w + c0[i] * a.K, a.conv_b + c0[i],
                                  a.conv_state + c0[i], Cd, a.xbc + c0[i]);
    kernels::SsmInputs in;
    in.T = 1;
    in.H = a.H;
    in.P = a.P;
    in.N = a.N;
    in.G = a.G;
    in.x = a.xbc;
    in.ldx = Cd;
    in.B = a.xbc + Di;
    in.C = a.xbc + Di + GN;
    in.ldbc = Cd;
    in.dt = a.dt;
    in.lddt = a.H;
    in.A = a.A;
    in.D = a.D;
    in.state = a.ssm_state;
    in.y = a.y;
    in.ldy = Di;
    const kernels::KernelTable& k = kernels::kernels();
    for (int64_t h = g * hpg; h < (g + 1) * hpg; ++h) k.ssm_serial_head(kernels::SsmHeadArgs{&in, h});
    kernels::gated_rmsnorm(a.y + g * gs, a.z + g * gs, a.norm_w + g * gs, gs, gs, a.eps, a.out + g * gs);
}

void prefetch_step_group(const MambaStepArgs& a, int64_t g) {
    const auto [gs, Di, Cd, c0, cn] = group_channels(a, g);
    for (int64_t row = 0; row + 1 < a.K; ++row)
        for (int i = 0; i < 3; ++i)
            kernels::prefetch_bytes(a.conv_state + row * Cd + c0[i],
                                    cn[i] * static_cast<int64_t>(sizeof(float)));
    const int64_t state_bytes = gs * a.N * static_cast<int64_t>(sizeof(float));
    kernels::prefetch_bytes(a.ssm_state + g * gs * a.N,
                            std::min<int64_t>(state_bytes, kernels::kSsmPrefetchBytes));
}

}  // namespace hy
