// The configuration of one Nemotron-H family model, filled from HF config.json or GGUF metadata
// (spec/model.md §1). Symbols in comments follow spec/model.md §0.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace hy {

enum class LayerKind : char { MAMBA = 'M', ATTENTION = '*', MLP = '-', MOE = 'E' };

struct ModelConfig {
    std::string architecture = "nemotron_h";  // "nemotron_h" (dense) or "nemotron_h_moe"
    std::vector<LayerKind> layers;             // hybrid_override_pattern / layers_block_type, one per layer

    int64_t hidden_size = 0;  // D
    int64_t vocab_size = 0;   // V

    // Attention (GQA, no RoPE)
    int64_t num_attention_heads = 0;  // Hq
    int64_t num_key_value_heads = 0;  // Hkv
    int64_t head_dim = 0;             // dh

    // Mamba2
    int64_t mamba_num_heads = 0;  // Hm
    int64_t mamba_head_dim = 0;   // P
    int64_t ssm_state_size = 0;   // N
    int64_t n_groups = 0;         // G
    int64_t conv_kernel = 4;      // K
    int64_t chunk_size = 128;     // SSD chunk length (does not change results)
    float time_step_limit_min = 0.0f;                                     // dt clamp after softplus
    float time_step_limit_max = std::numeric_limits<float>::infinity();  // default (0, inf): no clamp

    // Dense MLP ('-' layers)
    int64_t intermediate_size = 0;  // F

    // MoE ('E' layers)
    int64_t n_routed_experts = 0;                     // E
    int64_t num_experts_per_tok = 0;                  // k
    int64_t moe_intermediate_size = 0;                // Fe
    int64_t moe_shared_expert_intermediate_size = 0;  // Fs
    int64_t n_shared_experts = 1;
    int64_t n_group = 1;
    int64_t topk_group = 1;
    bool norm_topk_prob = true;
    float routed_scaling_factor = 1.0f;
    int64_t moe_latent_size = 0;  // Lt; 0 = no LatentMoE

    // MTP
    int64_t num_nextn_predict_layers = 0;
    std::vector<LayerKind> mtp_layers;  // pattern of the MTP block, e.g. "*E"

    float norm_eps = 1e-5f;
    bool tie_word_embeddings = false;
    int64_t bos_token_id = 1;
    std::vector<int64_t> eos_token_ids;
    int64_t pad_token_id = 0;
    int64_t max_position_embeddings = 0;
    std::string torch_dtype;

    // Derived values (computed here only).
    int64_t num_layers() const { return static_cast<int64_t>(layers.size()); }
    int64_t mamba_inner() const { return mamba_num_heads * mamba_head_dim; }                // Di = Hm·P
    int64_t conv_channels() const { return mamba_inner() + 2 * n_groups * ssm_state_size; }  // Cd
    int64_t mamba_group_size() const { return mamba_inner() / n_groups; }                   // Di/G
    int64_t mamba_heads_per_group() const { return mamba_num_heads / n_groups; }
    int64_t in_proj_rows() const { return 2 * mamba_inner() + 2 * n_groups * ssm_state_size + mamba_num_heads; }
    int64_t moe_routed_width() const { return moe_latent_size > 0 ? moe_latent_size : hidden_size; }  // Lt
    int64_t shared_expert_width() const { return moe_shared_expert_intermediate_size * n_shared_experts; }
    bool has_mtp() const { return num_nextn_predict_layers > 0 && !mtp_layers.empty(); }
    std::string layer_pattern() const;      // e.g. "MEM*EM*E"
    std::string mtp_layer_pattern() const;  // e.g. "*E"
};

}  // namespace hy
