#include "model/weight_traffic.h"

namespace hy {

namespace {

struct Acc {
    WeightTraffic t;
    // `share` of the tensor is read per decoded token (1 for dense matrices, k/E for routed experts).
    void matrix(const TensorView& v, uint64_t share_num = 1, uint64_t share_den = 1) {
        if (v.empty()) return;
        t.total_bytes += v.nbytes;
        t.total_params += v.numel();
        t.decode_bytes_per_token += v.nbytes * share_num / share_den;
        t.active_params += static_cast<int64_t>(static_cast<uint64_t>(v.numel()) * share_num / share_den);
    }
    void vec(const std::vector<float>& v) {
        t.total_bytes += v.size() * 4;
        t.decode_bytes_per_token += v.size() * 4;
        t.total_params += static_cast<int64_t>(v.size());
        t.active_params += static_cast<int64_t>(v.size());
    }
};

}  // namespace

WeightTraffic weight_traffic(const ModelWeights& w) {
    Acc a;
    const ModelConfig& c = w.config;
    // One embedding row per token; the whole table counts towards the total.
    a.matrix(w.embeddings, 1, static_cast<uint64_t>(w.embeddings.rows()));
    for (const LayerWeights& l : w.layers) {
        a.vec(l.norm);
        switch (l.kind) {
            case LayerKind::MAMBA:
                a.matrix(l.mamba.in_proj);
                a.matrix(l.mamba.out_proj);
                for (const auto* v : {&l.mamba.conv_weight, &l.mamba.conv_bias, &l.mamba.dt_bias, &l.mamba.A,
                                      &l.mamba.D, &l.mamba.norm})
                    a.vec(*v);
                break;
            case LayerKind::ATTENTION:
                for (const TensorView* v : {&l.attn.q_proj, &l.attn.k_proj, &l.attn.v_proj, &l.attn.o_proj})
                    a.matrix(*v);
                break;
            case LayerKind::MLP:
                a.matrix(l.mlp.up_proj);
                a.matrix(l.mlp.down_proj);
                break;
            case LayerKind::MOE: {
                const auto k = static_cast<uint64_t>(c.num_experts_per_tok);
                const auto E = static_cast<uint64_t>(c.n_routed_experts);
                a.matrix(l.moe.router);
                a.vec(l.moe.score_bias);
                for (size_t e = 0; e < l.moe.up.size(); ++e) {
                    a.matrix(l.moe.up[e], k, E);
                    a.matrix(l.moe.down[e], k, E);
                }
                for (const TensorView* v :
                     {&l.moe.shared_up, &l.moe.shared_down, &l.moe.latent_down, &l.moe.latent_up})
                    a.matrix(*v);
                break;
            }
        }
    }
    a.vec(w.final_norm);
    if (w.lm_head.data != w.embeddings.data) {
        a.matrix(w.lm_head);
    } else {  // tied: the head reads the whole table once more
        a.t.decode_bytes_per_token += w.lm_head.nbytes;
        a.t.active_params += w.lm_head.numel();
    }
    return a.t;
}

}  // namespace hy
