#include "model/model_weights.h"

namespace hy {

namespace {

void add_layer_matrices(LayerWeights& l, std::vector<TensorView*>& out) {
    switch (l.kind) {
        case LayerKind::MAMBA:
            out.insert(out.end(), {&l.mamba.in_proj, &l.mamba.out_proj});
            break;
        case LayerKind::ATTENTION:
            out.insert(out.end(), {&l.attn.q_proj, &l.attn.k_proj, &l.attn.v_proj, &l.attn.o_proj});
            break;
        case LayerKind::MLP:
            out.insert(out.end(), {&l.mlp.up_proj, &l.mlp.down_proj});
            break;
        // In the order moe_layer multiplies them: each of its two job lists is the experts, then the
        // shared expert.
        case LayerKind::MOE:
            out.insert(out.end(), {&l.moe.router, &l.moe.latent_down});
            for (TensorView& v : l.moe.up) out.push_back(&v);
            out.push_back(&l.moe.shared_up);
            for (TensorView& v : l.moe.down) out.push_back(&v);
            out.insert(out.end(), {&l.moe.shared_down, &l.moe.latent_up});
            break;
    }
}

}  // namespace

// In the order a forward multiplies them: the F32 panels are packed in this order, and a matmul's
// prefetches run on into the matrices after it (TensorView::panels_end), the ones needed next.
std::vector<TensorView*> multiplied_matrices(ModelWeights& w) {
    std::vector<TensorView*> all;
    for (LayerWeights& l : w.layers) add_layer_matrices(l, all);
    all.push_back(&w.lm_head);  // its own view even when tied: the embedding rows stay as they are
    all.push_back(&w.mtp.eh_proj);
    for (LayerWeights& l : w.mtp.layers) add_layer_matrices(l, all);
    return all;
}

}  // namespace hy
