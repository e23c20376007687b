// Attention layers ('*', spec/model.md §2.5): GQA, causal, no RoPE, fp32 softmax; K/V appended to
// the sequence's cache, each new token attends to every earlier position and itself.
#include <cstring>
#include <vector>

#include "kernels/attention.h"
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
    kernels::matmul(w.q_proj, r.u, D, r.T, q, qw, r.pool);
    kernels::matmul(w.k_proj, r.u, D, r.T, k, kw, r.pool);
    kernels::matmul(w.v_proj, r.u, D, r.T, v, kw, r.pool);
    for (const Segment& sg : r.segs) {
        sg.state->kv_reserve(layer, sg.pos0 + sg.n);
        for (int64_t t = 0; t < sg.n; ++t) {
            std::memcpy(sg.state->k_row(layer, sg.pos0 + t), k + (sg.row0 + t) * kw,
                        static_cast<size_t>(kw) * 4);
            std::memcpy(sg.state->v_row(layer, sg.pos0 + t), v + (sg.row0 + t) * kw,
                        static_cast<size_t>(kw) * 4);
        }
    }
    // One task per (row, head); a row's segment is found by a scan (batches hold few sequences).
    // Parallel only when there is enough work to pay for waking the pool (decode of short contexts).
    int64_t work = 0;
    for (const Segment& sg : r.segs) work += sg.n * (sg.pos0 + sg.n) * Hq * dh;
    const int64_t grain = work < (int64_t{1} << 16) ? r.T * Hq : 1;
    r.pool.parallel_for(r.T * Hq, grain, [&](int64_t b, int64_t e, int) {
        thread_local std::vector<float> scores;
        for (int64_t i = b; i < e; ++i) {
            const int64_t row = i / Hq, h = i % Hq;
            const Segment* sg = &r.segs[0];
            for (const Segment& s : r.segs)
                if (row >= s.row0 && row < s.row0 + s.n) sg = &s;
            const int64_t n_ctx = sg->pos0 + (row - sg->row0) + 1;
            const kernels::KvView kv = sg->state->kv_view(layer);
            // Sized in whole K/V pages, so the scores grow only when the cache itself gains a page:
            // decode steps within a page allocate nothing.
            const int64_t page = LocalSequenceState::kPageTokens;
            float* sc = grow(scores, (n_ctx + page - 1) / page * page);
            kernels::attention_head(q + row * qw, h, Hq, Hkv, dh, kv, n_ctx, sc, o + row * qw + h * dh);
        }
    });
    kernels::matmul(w.o_proj, o, qw, r.T, r.out, D, r.pool);
}

}  // namespace hy
