// A small random-weight Nemotron-H built in memory for forward tests (no files): every layer kind,
// optional LatentMoE and an MTP block, matrices stored as F32, BF16 or Q8_0.
#pragma once

#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "model/dequant.h"
#include "model/model_weights.h"

namespace hy::test {

struct RandomModel {
    ModelWeights w;
    std::deque<std::vector<uint8_t>> storage;  // owns every matrix's bytes
    std::mt19937 rng{1234};

    std::vector<float> vec(int64_t n, float lo, float hi) {
        std::uniform_real_distribution<float> d(lo, hi);
        std::vector<float> v(static_cast<size_t>(n));
        for (auto& x : v) x = d(rng);
        return v;
    }
    // Q8_0 needs rows of whole 32-value blocks: narrower matrices of a Q8_0 model stay F32.
    TensorView mat(int64_t rows, int64_t cols, DType dt, float scale) {
        const std::vector<float> f = vec(rows * cols, -scale, scale);
        if (dt == DType::Q8_0 && cols % 32 != 0) dt = DType::F32;
        auto& b = storage.emplace_back(dtype_bytes(dt, static_cast<uint64_t>(rows * cols)));
        if (dt == DType::Q8_0)
            for (int64_t r = 0; r < rows; ++r)
                quantize_row_q8_0(f.data() + r * cols, b.data() + r * (cols / 32) * 34, cols);
        for (size_t i = 0; i < f.size() && dt != DType::Q8_0; ++i) {
            if (dt == DType::F32) {
                std::memcpy(b.data() + 4 * i, &f[i], 4);
            } else {
                const uint16_t h = f32_to_bf16(f[i]);
                std::memcpy(b.data() + 2 * i, &h, 2);
            }
        }
        TensorView t;
        t.dtype = dt;
        t.shape = {rows, cols};
        t.data = b.data();
        t.nbytes = b.size();
        return t;
    }
    std::vector<float> norm(int64_t n) { return vec(n, 0.8f, 1.2f); }

    LayerWeights layer(LayerKind kind, DType dt) {
        const ModelConfig& c = w.config;
        const int64_t D = c.hidden_size;
        const float s = 1.0f / std::sqrt(static_cast<float>(D));
        LayerWeights l;
        l.kind = kind;
        l.norm = norm(D);
        switch (kind) {
            case LayerKind::MAMBA: {
                auto& m = l.mamba;
                m.in_proj = mat(c.in_proj_rows(), D, dt, s);
                m.conv_weight = vec(c.conv_channels() * c.conv_kernel, -0.5f, 0.5f);
                m.conv_bias = vec(c.conv_channels(), -0.1f, 0.1f);
                m.dt_bias = vec(c.mamba_num_heads, -1.0f, 0.5f);
                m.A = vec(c.mamba_num_heads, -2.0f, -0.2f);
                m.D = vec(c.mamba_num_heads, 0.5f, 1.5f);
                m.norm = norm(c.mamba_inner());
                m.out_proj =
                    mat(D, c.mamba_inner(), dt, 1.0f / std::sqrt(static_cast<float>(c.mamba_inner())));
                break;
            }
            case LayerKind::ATTENTION: {
                auto& a = l.attn;
                a.q_proj = mat(c.num_attention_heads * c.head_dim, D, dt, 2 * s);
                a.k_proj = mat(c.num_key_value_heads * c.head_dim, D, dt, 2 * s);
                a.v_proj = mat(c.num_key_value_heads * c.head_dim, D, dt, s);
                a.o_proj = mat(D, c.num_attention_heads * c.head_dim, dt, s);
                break;
            }
            case LayerKind::MLP:
                l.mlp.up_proj = mat(c.intermediate_size, D, dt, s);
                l.mlp.down_proj = mat(D, c.intermediate_size, dt, s);
                break;
            case LayerKind::MOE: {
                auto& m = l.moe;
                const int64_t Lt = c.moe_routed_width();
                m.router = mat(c.n_routed_experts, D, DType::F32, s);
                m.score_bias = vec(c.n_routed_experts, -0.1f, 0.1f);
                for (int64_t e = 0; e < c.n_routed_experts; ++e) {
                    m.up.push_back(
                        mat(c.moe_intermediate_size, Lt, dt, 1.0f / std::sqrt(static_cast<float>(Lt))));
                    m.down.push_back(mat(Lt, c.moe_intermediate_size, dt, 0.2f));
                }
                m.shared_up = mat(c.shared_expert_width(), D, dt, s);
                m.shared_down = mat(D, c.shared_expert_width(), dt, 0.2f);
                if (c.moe_latent_size > 0) {
                    m.latent_down = mat(Lt, D, dt, s);
                    m.latent_up = mat(D, Lt, dt, 1.0f / std::sqrt(static_cast<float>(Lt)));
                }
                break;
            }
        }
        return l;
    }
};

// Pattern "M*EM-E" (+ MTP "*E"), D = 32, V = 61; chunk_size 8 so prefill spans several SSD chunks.
inline std::unique_ptr<RandomModel> make_random_model(DType dt = DType::F32, int64_t latent = 0) {
    auto m = std::make_unique<RandomModel>();
    ModelConfig& c = m->w.config;
    c.architecture = "nemotron_h_moe";
    c.layers = {LayerKind::MAMBA, LayerKind::ATTENTION, LayerKind::MOE,
                LayerKind::MAMBA, LayerKind::MLP,       LayerKind::MOE};
    c.hidden_size = 32;
    c.vocab_size = 61;
    c.num_attention_heads = 4;
    c.num_key_value_heads = 2;
    c.head_dim = 8;
    c.mamba_num_heads = 4;
    c.mamba_head_dim = 8;
    c.ssm_state_size = 16;
    c.n_groups = 2;
    c.conv_kernel = 4;
    c.chunk_size = 8;
    c.intermediate_size = 48;
    c.n_routed_experts = 6;
    c.num_experts_per_tok = 2;
    c.moe_intermediate_size = 16;
    c.moe_shared_expert_intermediate_size = 24;
    c.routed_scaling_factor = 2.5f;
    c.moe_latent_size = latent;
    c.num_nextn_predict_layers = 1;
    c.mtp_layers = {LayerKind::ATTENTION, LayerKind::MOE};
    const int64_t D = c.hidden_size;
    m->w.embeddings = m->mat(c.vocab_size, D, dt, 1.0f);
    for (LayerKind k : c.layers) m->w.layers.push_back(m->layer(k, dt));
    m->w.final_norm = m->norm(D);
    m->w.lm_head = m->mat(c.vocab_size, D, dt, 1.0f / std::sqrt(static_cast<float>(D)));
    m->w.has_mtp = true;
    m->w.mtp.enorm = m->norm(D);
    m->w.mtp.hnorm = m->norm(D);
    m->w.mtp.eh_proj = m->mat(D, 2 * D, dt, 1.0f / std::sqrt(2.0f * D));
    for (LayerKind k : c.mtp_layers) m->w.mtp.layers.push_back(m->layer(k, dt));
    m->w.mtp.final_norm = m->norm(D);
    return m;
}

}  // namespace hy::test
