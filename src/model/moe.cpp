// MoE layers ('E', spec/model.md §2.7): fp32 sigmoid router with selection bias, top-k routed
// squared-ReLU experts (optionally inside a LatentMoE projection) plus an unweighted shared expert.
// Tokens are grouped per expert so that each expert's weights are read once per call.
#include <algorithm>
#include <vector>

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

    // Every active expert's up projection and the shared expert's in one parallel region, then every
    // down projection in another (issue 10): each expert's weights stream once per call for all the
    // tokens routed to it, with two barriers per layer instead of two per expert. Slot i of the sorted
    // order (expert e's rows are [count[e], count[e+1])) owns row i of xin, hid and eout.
    const int64_t S = T * k, Fs = w.shared_up.rows();
    float* xin = grow(s.d, S * Lt);
    float* hid = grow(s.e, S * (Fe + Lt));
    float* eout = hid + S * Fe;
    float* sh = grow(s.proj, T * Fs);
    for (int64_t i = 0; i < S; ++i) std::copy_n(xr + (rows[i] / k) * Lt, Lt, xin + i * Lt);
    thread_local std::vector<kernels::MatmulJob> jobs;
    jobs.reserve(static_cast<size_t>(E + 1));
    jobs.clear();
    for (int64_t e = 0; e < E; ++e)
        if (count[e + 1] > count[e])
            jobs.push_back({&w.up[static_cast<size_t>(e)], xin + count[e] * Lt, Lt, count[e + 1] - count[e],
                            hid + count[e] * Fe, Fe});
    jobs.push_back({&w.shared_up, r.u, D, T, sh, Fs});
    kernels::matmul_many(jobs, r.pool);
    for (int64_t i = 0; i < S * Fe; ++i) hid[i] = kernels::relu2(hid[i]);
    for (int64_t i = 0; i < T * Fs; ++i) sh[i] = kernels::relu2(sh[i]);
    jobs.clear();
    for (int64_t e = 0; e < E; ++e)
        if (count[e + 1] > count[e])
            jobs.push_back({&w.down[static_cast<size_t>(e)], hid + count[e] * Fe, Fe, count[e + 1] - count[e],
                            eout + count[e] * Lt, Lt});
    jobs.push_back({&w.shared_down, sh, Fs, T, r.out, D});
    kernels::matmul_many(jobs, r.pool);

    // Weighted sum of the routed outputs, expert by expert (a fixed order).
    float* yr = grow(s.c, T * Lt);
    std::fill(yr, yr + T * Lt, 0.0f);
    for (int64_t i = 0; i < S; ++i) {
        const float wt = wts[rows[i]];
        float* dst = yr + (rows[i] / k) * Lt;
        for (int64_t c2 = 0; c2 < Lt; ++c2) dst[c2] += wt * eout[i * Lt + c2];
    }
    const float* routed = yr;
    if (latent) {
        float* up = grow(s.d, T * D);
        kernels::matmul(w.latent_up, yr, Lt, T, up, D, r.pool);
        routed = up;
    }
    for (int64_t i = 0; i < T * D; ++i) r.out[i] += routed[i];
}

}  // namespace hy
