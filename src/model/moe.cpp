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
    float* logits = grow(s.a, T * E + 2 * E * r.pool.size());
    float* route_scratch = logits + T * E;  // 2E per thread
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
    for_rows(r.pool, T, 16 * E, [&](int64_t b, int64_t e, int tid) {  // a sigmoid per expert and a sort
        for (int64_t t = b; t < e; ++t)
            kernels::route_topk(logits + t * E, bias, rp, route_scratch + 2 * E * tid, idx + t * k,
                                wts + t * k);
    });

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
    for_rows(r.pool, S, Lt, [&](int64_t b, int64_t e, int) {
        for (int64_t i = b; i < e; ++i) std::copy_n(xr + (rows[i] / k) * Lt, Lt, xin + i * Lt);
    });
    thread_local std::vector<kernels::MatmulJob> jobs;
    jobs.reserve(static_cast<size_t>(E + 1));
    jobs.clear();
    for (int64_t e = 0; e < E; ++e)
        if (count[e + 1] > count[e])
            jobs.push_back({&w.up[static_cast<size_t>(e)], xin + count[e] * Lt, Lt, count[e + 1] - count[e],
                            hid + count[e] * Fe, Fe});
    jobs.push_back({&w.shared_up, r.u, D, T, sh, Fs});
    kernels::matmul_many(jobs, r.pool);
    for_rows(r.pool, S, Fe, [&](int64_t b, int64_t e, int) {
        for (int64_t i = b * Fe; i < e * Fe; ++i) hid[i] = kernels::relu2(hid[i]);
    });
    for_rows(r.pool, T, Fs, [&](int64_t b, int64_t e, int) {
        for (int64_t i = b * Fs; i < e * Fs; ++i) sh[i] = kernels::relu2(sh[i]);
    });
    jobs.clear();
    for (int64_t e = 0; e < E; ++e)
        if (count[e + 1] > count[e])
            jobs.push_back({&w.down[static_cast<size_t>(e)], hid + count[e] * Fe, Fe, count[e + 1] - count[e],
                            eout + count[e] * Lt, Lt});
    jobs.push_back({&w.shared_down, sh, Fs, T, r.out, D});
    kernels::matmul_many(jobs, r.pool);

    // Weighted sum of each token's routed outputs in a fixed order, that of their experts (the sorted
    // slots), token by token.
    int32_t* slot_of = grow(s.slot_of, S);  // (token, choice) pair -> its sorted slot
    for (int64_t i = 0; i < S; ++i) slot_of[rows[i]] = static_cast<int32_t>(i);
    float* yr = grow(s.c, T * Lt);
    for_rows(r.pool, T, k * Lt, [&](int64_t b, int64_t e, int) {
        thread_local std::vector<int32_t> slots;
        slots.resize(static_cast<size_t>(k));
        for (int64_t t = b; t < e; ++t) {
            std::copy_n(slot_of + t * k, k, slots.begin());
            std::sort(slots.begin(), slots.end());
            float* dst = yr + t * Lt;
            std::fill(dst, dst + Lt, 0.0f);
            for (const int32_t i : slots) {
                const float wt = wts[rows[i]];
                for (int64_t c2 = 0; c2 < Lt; ++c2) dst[c2] += wt * eout[i * Lt + c2];
            }
        }
    });
    const float* routed = yr;
    if (latent) {
        float* up = grow(s.d, T * D);
        kernels::matmul(w.latent_up, yr, Lt, T, up, D, r.pool);
        routed = up;
    }
    for_rows(r.pool, T, D, [&](int64_t b, int64_t e, int) {
        for (int64_t i = b * D; i < e * D; ++i) r.out[i] += routed[i];
    });
}

}  // namespace hy
