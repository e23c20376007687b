// The MTP block (spec/model.md §5.1): m = W_eh · [RMSNorm_e(E[x_{t+1}]) ; RMSNorm_h(H_t)] (embedding
// first), then the block's own layers (attention with its own KV, MoE) as pre-norm residuals, a
// final norm (switchable, see MtpFinalNorm) and the shared lm_head.
#include "core/error.h"
#include "kernels/matmul.h"
#include "kernels/norm.h"
#include "kernels/quant_rows.h"
#include "model/forward.h"
#include "model/layer_ops.h"

namespace hy {

const ForwardOutput& Forward::run_mtp(SequenceState& mtp_state, std::span<const int32_t> tokens,
                                      const float* hidden) {
    if (!w_.has_mtp) throw Error("this model has no MTP block", 400, "invalid_request_error");
    const ModelConfig& c = w_.config;
    const int64_t D = c.hidden_size, V = w_.lm_head.rows(), T = static_cast<int64_t>(tokens.size());
    if (T == 0) throw Error("mtp: no tokens", 400, "invalid_request_error", "tokens");
    const MtpWeights& m = w_.mtp;

    float* eh = grow(s_->gathered, T * 2 * D);
    for (int64_t t = 0; t < T; ++t) {
        const int32_t tok = tokens[static_cast<size_t>(t)];
        if (tok < 0 || tok >= w_.embeddings.rows())
            throw Error("mtp: token id out of range", 400, "invalid_request_error", "tokens");
        float* e = eh + t * 2 * D;
        kernels::convert_row(w_.embeddings.dtype, w_.embeddings.row(tok), e, D, w_.embeddings.scale);
        kernels::rmsnorm(e, m.enorm.data(), D, c.norm_eps, e);
        kernels::rmsnorm(hidden + t * D, m.hnorm.data(), D, c.norm_eps, e + D);
    }
    float* h = grow(s_->h, T * D);
    kernels::matmul(m.eh_proj, eh, 2 * D, T, h, D, pool_);

    const Segment seg{&mtp_state, 0, T, mtp_state.n_past()};
    run_layers(c, pool_, opt_, m.layers, std::span<const Segment>(&seg, 1), T, *s_);
    mtp_state.set_n_past(seg.pos0 + T);

    out_.prepare(T, V, D);
    float* g = out_.hidden.data();
    int32_t* rs = out_.row_seq.data();
    int64_t* rp = out_.row_pos.data();
    for (int64_t t = 0; t < T; ++t) {
        if (opt_.mtp_final_norm == MtpFinalNorm::LAYER_NORM)
            kernels::layernorm(h + t * D, m.final_norm.data(), D, c.norm_eps, g + t * D);
        else
            kernels::rmsnorm(h + t * D, m.final_norm.data(), D, c.norm_eps, g + t * D);
        rs[t] = 0;
        rp[t] = seg.pos0 + t;
    }
    kernels::matmul(w_.lm_head, g, D, T, out_.logits.data(), V, pool_);
    return out_;
}

}  // namespace hy
