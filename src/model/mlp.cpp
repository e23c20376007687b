// Dense squared-ReLU MLP ('-' layers, spec/model.md §2.6): out = W_down · relu(W_up · u)².
#include "kernels/activations.h"
#include "kernels/matmul.h"
#include "model/layer_ops.h"

namespace hy {

void mlp_layer(const LayerRun& r, const MlpWeights& w) {
    const int64_t D = r.cfg.hidden_size, F = w.up_proj.rows();
    float* up = grow(r.s.proj, r.T * F);
    kernels::matmul(w.up_proj, r.u, D, r.T, up, F, r.pool);
    for (int64_t i = 0; i < r.T * F; ++i) up[i] = kernels::relu2(up[i]);
    kernels::matmul(w.down_proj, up, F, r.T, r.out, D, r.pool);
}

}  // namespace hy
