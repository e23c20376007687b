// MoE layers ('E', spec/model.md §2.7): fp32 sigmoid router with selection bias, top-k routed
// squared-ReLU experts (optionally inside a LatentMoE projection) plus an unweighted shared expert.
// Tokens are grouped per expert so that each expert's weights are read once per call.
#include <algorithm>

#include "kernels/activations.h"
#include "kernels/matmul.h"
#include "kernels/router.h"
#include "model/layer_ops.h"

namespace hy {

void moe_layer(const LayerRun& r, const MoeWeights& w) {
    const ModelConfig& c = r.cfg;
    const int64_t D = c.hidden_size, E = c.n_routed_experts, k = c.num_experts_per_tok, T = r.T;
    const bool latent = !w.latent_down.empty();
    const int64_t Lt = latent ? w.latent_down.rows() : D;
    const int64_t Fe = E > 0 ? w.up[0].rows() : 0;
    auto& s = r.s;

    // Router (fp32 logits whatever the stored dtype: the matmul converts exactly) and selection.
    float* logits = grow(s.a, T * E + 2 * E);
    float* route_scratch = logits + T * E;
    kernels::matmul(w.router, r.u, D, T, logits, E, r.pool);
    int32_t* idx = grow(s.idx, T * k);
    float* wts = grow(s.wts, T * k);
    kernels::RouterParams rp;
    rp.n_experts = E;
    rp.top_k = k;
    rp.n_group = c.n_group;
    rp.topk_group = c.topk_group;
    rp.norm_topk_prob = c.norm_topk_prob;
    rp.routed_scaling_factor = c.routed_scaling_factor;
    const float* bias = w.score_bias.empty() ? nullptr : w.score_bias.data();
    for (int64_t t = 0; t < T; ++t)
        kernels::route_topk(logits + t * E, bias, rp, route_scratch, idx + t * k, wts + t * k);

    // Routed input: the latent projection or u itself.
    const float* xr = r.u;
    if (latent) {
        float* buf = grow(s.b, T * Lt);
        kernels::matmul(w.latent_down, r.u, D, T, buf, Lt, r.pool);
        xr = buf;
    }

    // Bucket (token, slot) pairs by expert.
    int32_t* count = grow(s.expert_count, E + 1);
    int32_t* rows = grow(s.expert_rows, T * k);
    std::fill(count, count + E + 1, 0);
    for (int64_t i = 0; i < T * k; ++i) ++count[idx[i] + 1];
    for (int64_t e = 0; e < E; ++e) count[e + 1] += count[e];
    {
        int32_t* fill = grow(s.idx, T * k + E) + T * k;  // slots, then one cursor per expert
        idx = s.idx.data();                              // grow may have moved it
        std::copy(count, count + E, fill);
        for (int64_t i = 0; i < T * k; ++i) rows[fill[idx[i]]++] = static_cast<int32_t>(i);
    }

    float* yr = grow(s.c, T * Lt);
    std::fill(yr, yr + T * Lt, 0.0f);
    float* xin = grow(s.d, T * Lt);
    float* hid = grow(s.e, T * std::max(Fe, Lt) * 2);
    float* eout = hid + T * std::max(Fe, Lt);
    for (int64_t e = 0; e < E; ++e) {
        const int64_t n = count[e + 1] - count[e];
        if (n == 0) continue;
        const int32_t* sel = rows + count[e];
        for (int64_t j = 0; j < n; ++j) std::copy_n(xr + (sel[j] / k) * Lt, Lt, xin + j * Lt);
        kernels::matmul(w.up[static_cast<size_t>(e)], xin, Lt, n, hid, Fe, r.pool);
        for (int64_t i = 0; i < n * Fe; ++i) hid[i] = kernels::relu2(hid[i]);
        kernels::matmul(w.down[static_cast<size_t>(e)], hid, Fe, n, eout, Lt, r.pool);
        for (int64_t j = 0; j < n; ++j) {
            const float wt = wts[sel[j]];
            float* dst = yr + (sel[j] / k) * Lt;
            for (int64_t i = 0; i < Lt; ++i) dst[i] += wt * eout[j * Lt + i];
        }
    }
    const float* routed = yr;
    if (latent) {
        float* up = grow(s.d, T * D);
        kernels::matmul(w.latent_up, yr, Lt, T, up, D, r.pool);
        routed = up;
    }

    // Shared expert on the full width; out = routed + shared.
    const int64_t Fs = w.shared_up.rows();
    float* sh = grow(s.proj, T * Fs);
    kernels::matmul(w.shared_up, r.u, D, T, sh, Fs, r.pool);
    for (int64_t i = 0; i < T * Fs; ++i) sh[i] = kernels::relu2(sh[i]);
    kernels::matmul(w.shared_down, sh, Fs, T, r.out, D, r.pool);
    for (int64_t i = 0; i < T * D; ++i) r.out[i] += routed[i];
}

}  // namespace hy
