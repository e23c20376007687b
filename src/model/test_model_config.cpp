// Presets of the test models (model/test_model.h).
#include "core/error.h"
#include "model/config_io.h"
#include "model/test_model.h"

namespace hy {

namespace {

std::vector<LayerKind> pattern(const std::string& s) {
    std::vector<LayerKind> out;
    for (char ch : s) out.push_back(layer_kind_from_char(ch, "preset", "pattern"));
    return out;
}

}  // namespace

int test_model_vocab_size(const std::string& preset) {
    if (preset == "tiny") return 2048;
    if (preset == "small") return 4096;
    if (preset == "bench") return 50257;  // GPT-2-sized (issue 10)
    throw Error("unknown test model preset \"" + preset + "\" (expected tiny, small or bench)");
}

ModelConfig test_model_config(const std::string& preset, bool latent, int64_t vocab_size) {
    ModelConfig c;
    c.architecture = "nemotron_h_moe";
    c.vocab_size = vocab_size;
    if (preset == "tiny") {
        // Every kind twice or more, attention and MoE after Mamba as in the real models.
        c.layers = pattern("M*M-EM*E");
        c.hidden_size = 64;
        c.num_attention_heads = 4;
        c.num_key_value_heads = 2;
        c.head_dim = 16;
        c.mamba_num_heads = 8;
        c.mamba_head_dim = 16;
        c.ssm_state_size = 16;
        c.n_groups = 2;
        c.intermediate_size = 128;
        c.n_routed_experts = 8;
        c.num_experts_per_tok = 2;
        c.moe_intermediate_size = 32;
        c.moe_shared_expert_intermediate_size = 64;
        c.max_position_embeddings = 8192;
        if (latent) c.moe_latent_size = 32;
    } else if (preset == "small") {
        c.layers = pattern("M-M*EM-MEM*EM-MEM*EM-M*E");  // 24 layers
        c.hidden_size = 256;
        c.num_attention_heads = 8;
        c.num_key_value_heads = 2;
        c.head_dim = 32;
        c.mamba_num_heads = 16;
        c.mamba_head_dim = 32;
        c.ssm_state_size = 32;
        c.n_groups = 2;
        c.intermediate_size = 512;
        c.n_routed_experts = 16;
        c.num_experts_per_tok = 4;
        c.moe_intermediate_size = 128;
        c.moe_shared_expert_intermediate_size = 256;
        c.max_position_embeddings = 32768;
        if (latent) c.moe_latent_size = 128;
    } else if (preset == "bench") {
        // Issue 10's benchmark model: a scaled-down Nemotron 3 Nano (~723M parameters), no MTP so that
        // llama.cpp loads the very same GGUF file.
        c.layers = pattern("MEMEM*EMEMEM*EMEMEM*EMEM");  // 24 layers
        c.hidden_size = 1024;
        c.num_attention_heads = 8;
        c.num_key_value_heads = 2;
        c.head_dim = 128;
        c.mamba_num_heads = 32;
        c.mamba_head_dim = 64;
        c.ssm_state_size = 128;
        c.n_groups = 8;
        c.intermediate_size = 768;
        c.n_routed_experts = 64;
        c.num_experts_per_tok = 6;
        c.moe_intermediate_size = 384;
        c.moe_shared_expert_intermediate_size = 768;
        c.max_position_embeddings = 32768;
        if (latent) c.moe_latent_size = 256;
    } else {
        test_model_vocab_size(preset);  // throws the unknown-preset error
    }
    c.conv_kernel = 4;
    c.chunk_size = 128;
    c.n_shared_experts = 1;
    c.n_group = 1;
    c.topk_group = 1;
    c.norm_topk_prob = true;
    c.routed_scaling_factor = 2.5f;
    c.num_nextn_predict_layers = preset == "bench" ? 0 : 1;
    if (c.num_nextn_predict_layers > 0) c.mtp_layers = pattern("*E");
    c.norm_eps = 1e-5f;
    c.tie_word_embeddings = false;
    c.bos_token_id = 1;
    c.eos_token_ids = {2, 11};  // </s> and <|im_end|>, as Nemotron 3 Super's config
    c.pad_token_id = 0;
    c.torch_dtype = "float32";
    validate_config(c, "preset " + preset);
    return c;
}

}  // namespace hy
