#include "model/forward.h"

#include <string>

#include "core/error.h"
#include "kernels/matmul.h"
#include "kernels/norm.h"
#include "kernels/quant_rows.h"
#include "model/layer_ops.h"

namespace hy {

void run_mixer(const LayerRun& r, const LayerWeights& w, int64_t layer) {
    switch (w.kind) {
        case LayerKind::MAMBA:
            mamba_layer(r, w.mamba, layer);
            return;
        case LayerKind::ATTENTION:
            attention_layer(r, w.attn, layer);
            return;
        case LayerKind::MLP:
            mlp_layer(r, w.mlp);
            return;
        case LayerKind::MOE:
            moe_layer(r, w.moe);
            return;
    }
}

void run_layers(const ModelConfig& cfg, ThreadPool& pool, const ForwardOptions& opt,
                const std::vector<LayerWeights>& layers, std::span<const Segment> segs, int64_t T,
                Forward::Scratch& s) {
    const int64_t D = cfg.hidden_size;
    float* h = s.h.data();
    float* u = grow(s.u, T * D);
    float* out = grow(s.out, T * D);
    auto add_residual = [&](int64_t t) {
        for (int64_t i = t * D; i < (t + 1) * D; ++i) h[i] += out[i];
    };
    for (size_t l = 0; l < layers.size(); ++l) {
        const LayerWeights& lw = layers[l];
        // The previous layer's residual and this layer's pre-norm, row by row.
        for_rows(pool, T, D, [&](int64_t b, int64_t e, int) {
            for (int64_t t = b; t < e; ++t) {
                if (l > 0) add_residual(t);
                kernels::rmsnorm(h + t * D, lw.norm.data(), D, cfg.norm_eps, u + t * D);
            }
        });
        run_mixer(LayerRun{cfg, pool, opt, segs, T, u, out, s}, lw, static_cast<int64_t>(l));
    }
    if (!layers.empty())
        for_rows(pool, T, D, [&](int64_t b, int64_t e, int) {
            for (int64_t t = b; t < e; ++t) add_residual(t);
        });
}

namespace {

void embed(const ModelWeights& w, int32_t token, float* dst) {
    const ModelConfig& c = w.config;
    if (token < 0 || token >= w.embeddings.rows())
        throw Error("token id " + std::to_string(token) + " is outside the vocabulary (0.." +
                        std::to_string(w.embeddings.rows() - 1) + ")",
                    400, "invalid_request_error", "tokens");
    kernels::convert_row(w.embeddings.dtype, w.embeddings.row(token), dst, c.hidden_size, w.embeddings.scale);
}

}  // namespace

void ForwardOutput::prepare(int64_t rows, int64_t vocab, int64_t hidden) {
    n_rows = rows;
    n_vocab = vocab;
    hidden_size = hidden;
    grow(logits, rows * vocab);
    grow(this->hidden, rows * hidden);
    grow(row_seq, rows);
    grow(row_pos, rows);
}

Forward::Forward(const ModelWeights& weights, ThreadPool& pool, ForwardOptions options)
    : w_(weights), pool_(pool), opt_(options), s_(std::make_unique<Scratch>()) {}

Forward::~Forward() = default;

std::unique_ptr<LocalSequenceState> Forward::new_sequence() const {
    return std::make_unique<LocalSequenceState>(w_.config, w_.config.layers);
}

std::unique_ptr<LocalSequenceState> Forward::new_mtp_sequence() const {
    std::vector<LayerKind> kinds;
    for (const auto& l : w_.mtp.layers) kinds.push_back(l.kind);
    return std::make_unique<LocalSequenceState>(w_.config, kinds);
}

const ForwardOutput& Forward::run(std::span<const SequenceInput> batch) {
    const ModelConfig& c = w_.config;
    const int64_t D = c.hidden_size, V = w_.lm_head.rows();
    std::vector<Segment>& segs = segs_;
    segs.clear();
    int64_t T = 0, R = 0;
    for (const SequenceInput& in : batch) {
        HY_ASSERT(in.state != nullptr);
        if (in.tokens.empty())
            throw Error("forward: a sequence has no new tokens", 400, "invalid_request_error", "tokens");
        segs.push_back(Segment{in.state, T, static_cast<int64_t>(in.tokens.size()), in.state->n_past()});
        T += static_cast<int64_t>(in.tokens.size());
        R += in.all_logits ? static_cast<int64_t>(in.tokens.size()) : 1;
    }
    float* h = grow(s_->h, T * D);
    for (size_t b = 0; b < batch.size(); ++b)
        for (size_t t = 0; t < batch[b].tokens.size(); ++t)
            embed(w_, batch[b].tokens[t], h + (segs[b].row0 + static_cast<int64_t>(t)) * D);

    run_layers(c, pool_, opt_, w_.layers, segs, T, *s_);
    for (size_t b = 0; b < batch.size(); ++b) batch[b].state->set_n_past(segs[b].pos0 + segs[b].n);

    // Final norm and head on the rows that need logits only.
    out_.prepare(R, V, D);
    float* hid = out_.hidden.data();
    int32_t* rs = out_.row_seq.data();
    int64_t* rp = out_.row_pos.data();
    int64_t r = 0;
    for (size_t b = 0; b < batch.size(); ++b) {
        const Segment& sg = segs[b];
        for (int64_t t = batch[b].all_logits ? 0 : sg.n - 1; t < sg.n; ++t, ++r) {
            kernels::rmsnorm(h + (sg.row0 + t) * D, w_.final_norm.data(), D, c.norm_eps, hid + r * D);
            rs[r] = static_cast<int32_t>(b);
            rp[r] = sg.pos0 + t;
        }
    }
    kernels::matmul(w_.lm_head, hid, D, R, out_.logits.data(), V, pool_);
    return out_;
}

}  // namespace hy
