// Consistency checks of a ModelConfig, shared by the HF and GGUF parsers (spec/model.md §1).
// Sizes are bounded so that every derived product (ModelConfig's helpers, tensor byte counts) fits
// int64 without overflow, whatever a hostile file says.
#include <cmath>
#include <string>

#include "core/error.h"
#include "model/config_io.h"

namespace hy {

namespace {

constexpr int64_t kMaxDim = int64_t{1} << 24;  // any single size: width, heads, vocab, experts
constexpr int64_t kMaxLayers = 4096;

void check_range(const std::string& path, const char* name, int64_t v, int64_t lo, int64_t hi = kMaxDim) {
    if (v < lo || v > hi)
        throw file_error(path, std::string("field ") + name + " = " + std::to_string(v) +
                                   " is out of range [" + std::to_string(lo) + ", " + std::to_string(hi) +
                                   "]");
}

void check_divisible(const std::string& path, const char* num_name, int64_t num, const char* den_name,
                     int64_t den) {
    if (den <= 0 || num % den != 0)
        throw file_error(path, std::string("field ") + num_name + " = " + std::to_string(num) +
                                   " is not divisible by " + den_name + " = " + std::to_string(den));
}

bool has_kind(const ModelConfig& c, LayerKind k) {
    for (LayerKind l : c.layers)
        if (l == k) return true;
    for (LayerKind l : c.mtp_layers)
        if (l == k) return true;
    return false;
}

}  // namespace

void validate_config(const ModelConfig& c, const std::string& path) {
    if (c.layers.empty()) throw file_error(path, "field hybrid_override_pattern: the model has no layers");
    check_range(path, "num_hidden_layers", c.num_layers(), 1, kMaxLayers);
    check_range(path, "hidden_size", c.hidden_size, 1);
    check_range(path, "vocab_size", c.vocab_size, 1);
    check_range(path, "max_position_embeddings", c.max_position_embeddings, 0, int64_t{1} << 32);
    if (!(c.norm_eps > 0.0f) || !std::isfinite(c.norm_eps))
        throw file_error(path, "field layer_norm_epsilon must be a positive finite number");

    if (has_kind(c, LayerKind::ATTENTION)) {
        check_range(path, "num_attention_heads", c.num_attention_heads, 1);
        check_range(path, "num_key_value_heads", c.num_key_value_heads, 1);
        check_range(path, "head_dim", c.head_dim, 1);
        check_divisible(path, "num_attention_heads", c.num_attention_heads, "num_key_value_heads",
                        c.num_key_value_heads);
    }
    if (has_kind(c, LayerKind::MAMBA)) {
        check_range(path, "mamba_num_heads", c.mamba_num_heads, 1);
        check_range(path, "mamba_head_dim", c.mamba_head_dim, 1);
        check_range(path, "ssm_state_size", c.ssm_state_size, 1);
        check_range(path, "n_groups", c.n_groups, 1);
        check_range(path, "conv_kernel", c.conv_kernel, 1, 64);
        check_range(path, "chunk_size", c.chunk_size, 1);
        check_divisible(path, "mamba_num_heads", c.mamba_num_heads, "n_groups", c.n_groups);
        if (std::isnan(c.time_step_limit_min) || std::isnan(c.time_step_limit_max) ||
            c.time_step_limit_min > c.time_step_limit_max || c.time_step_limit_min < 0.0f)
            throw file_error(path, "field time_step_limit must be [min, max] with 0 <= min <= max");
    }
    if (has_kind(c, LayerKind::MLP)) check_range(path, "intermediate_size", c.intermediate_size, 1);
    if (has_kind(c, LayerKind::MOE)) {
        check_range(path, "n_routed_experts", c.n_routed_experts, 1, 65536);
        check_range(path, "num_experts_per_tok", c.num_experts_per_tok, 1, c.n_routed_experts);
        check_range(path, "moe_intermediate_size", c.moe_intermediate_size, 1);
        check_range(path, "n_shared_experts", c.n_shared_experts, 0, 64);
        if (c.n_shared_experts > 0)
            check_range(path, "moe_shared_expert_intermediate_size", c.moe_shared_expert_intermediate_size,
                        1);
        check_range(path, "n_group", c.n_group, 1, c.n_routed_experts);
        check_range(path, "topk_group", c.topk_group, 1, c.n_group);
        check_divisible(path, "n_routed_experts", c.n_routed_experts, "n_group", c.n_group);
        check_range(path, "moe_latent_size", c.moe_latent_size, 0);
        if (!std::isfinite(c.routed_scaling_factor))
            throw file_error(path, "field routed_scaling_factor must be finite");
    }
    check_range(path, "num_nextn_predict_layers", c.num_nextn_predict_layers, 0, 16);
    check_range(path, "mtp_hybrid_override_pattern length", static_cast<int64_t>(c.mtp_layers.size()), 0, 16);
    if (c.num_nextn_predict_layers > 0 && c.mtp_layers.empty())
        throw file_error(path, "field mtp_hybrid_override_pattern is empty but num_nextn_predict_layers > 0");
    check_range(path, "bos_token_id", c.bos_token_id, -1, c.vocab_size - 1);
    check_range(path, "pad_token_id", c.pad_token_id, -1, c.vocab_size - 1);
    for (int64_t id : c.eos_token_ids) check_range(path, "eos_token_id", id, 0, c.vocab_size - 1);
}

}  // namespace hy
