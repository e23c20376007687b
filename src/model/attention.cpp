// Attention layers ('*', spec/model.md §2.5): GQA, causal, no RoPE, fp32 softmax; K/V appended to
// the sequence's cache (in its storage dtype, --kv-cache-dtype), each new token attends to every
// earlier position and itself.
#include <vector>

#include "kernels/attention.h"
#include "kernels/bf16_matmul.h"
#include "kernels/matmul.h"
#include "model/layer_ops.h"

namespace hy {

void attention_layer(const LayerRun& r, const AttentionWeights& w, int64_t layer) {
    const int64_t D = r.cfg.hidden_size, Hq = r.cfg.num_attention_heads, Hkv = r.cfg.num_key_value_heads;
    const int64_t dh = r.cfg.head_dim, qw = Hq * dh, kw = Hkv * dh;
    float* q = grow(r.s.a, r.T * qw);
    float* k = grow(r.s.b, r.T * kw);
    float* v = grow(r.s.c, r.T * kw);
    float* o = grow(r.s.d, r.T * qw);
    // q, k and v in one parallel region (one barrier instead of three per layer, issue 10) where that
    // keeps their bits: F32 panels and the bf16 route sum each row alone whatever the split into
    // calls, while gemm_f32 on row-major F32 (weights built without panels) sums a remainder row
    // differently from a 4-row tile, so its products keep matmul's own split.
    if (kernels::rows_split_invariant(w.q_proj) && kernels::rows_split_invariant(w.k_proj) &&
        kernels::rows_split_invariant(w.v_proj)) {
        const kernels::MatmulJob qkv[3] = {{&w.q_proj, r.u, D, r.T, q, qw},
                                           {&w.k_proj, r.u, D, r.T, k, kw},
                                           {&w.v_proj, r.u, D, r.T, v, kw}};
        kernels::matmul_many(qkv, r.pool);
    } else {
        kernels::matmul(w.q_proj, r.u, D, r.T, q, qw, r.pool);
        kernels::matmul(w.k_proj, r.u, D, r.T, k, kw, r.pool);
        kernels::matmul(w.v_proj, r.u, D, r.T, v, kw, r.pool);
    }
    for (const Segment& sg : r.segs) {
        sg.state->kv_reserve(layer, sg.pos0 + sg.n);
        for (int64_t t = 0; t < sg.n; ++t)
            sg.state->store_kv(layer, sg.pos0 + t, k + (sg.row0 + t) * kw, v + (sg.row0 + t) * kw, kw);
    }
    thread_local std::vector<kernels::AttnSeq> seqs;
    seqs.clear();
    for (const Segment& sg : r.segs)
        seqs.push_back({q + sg.row0 * qw, o + sg.row0 * qw, sg.n, sg.pos0, sg.state->kv_view(layer)});
    kernels::attention_batch(seqs, Hq, Hkv, dh, r.pool);
    kernels::matmul(w.o_proj, o, qw, r.T, r.out, D, r.pool);
}

}  // namespace hy
