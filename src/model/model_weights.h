// The logical tensors of a loaded model, independent of the file format (spec/model.md §3).
// Matrices are zero-copy views into the mapped files, in their stored dtype, shaped [out, in].
// Per-channel vectors (norm weights, biases, conv taps, SSM scalars) are converted to fp32 at load:
// they are a negligible fraction of the bytes and every kernel wants them in fp32.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/huge_pages.h"
#include "core/mapped_file.h"
#include "model/model_config.h"
#include "model/tensor.h"

namespace hy {

struct MambaWeights {
    TensorView in_proj;              // [2Di+2GN+Hm, D]
    std::vector<float> conv_weight;  // [Cd, K] row-major; w[c*K + K-1] multiplies the current token
    std::vector<float> conv_bias;    // [Cd]
    std::vector<float> dt_bias;      // [Hm]
    std::vector<float> A;            // [Hm], A = -exp(A_log) (GGUF stores it that way already)
    std::vector<float> D;            // [Hm]
    std::vector<float> norm;         // [Di], gated RMSNorm weight, groups of Di/G
    TensorView out_proj;             // [D, Di]
};

struct AttentionWeights {
    TensorView q_proj;  // [Hq·dh, D]
    TensorView k_proj;  // [Hkv·dh, D]
    TensorView v_proj;  // [Hkv·dh, D]
    TensorView o_proj;  // [D, Hq·dh]
};

struct MlpWeights {
    TensorView up_proj;    // [F, D]
    TensorView down_proj;  // [D, F]
};

struct MoeWeights {
    TensorView router;              // [E, D] (computed in fp32)
    std::vector<float> score_bias;  // [E] e_score_correction_bias, selection only
    std::vector<TensorView> up;     // E views of [Fe, Lt]
    std::vector<TensorView> down;   // E views of [Lt, Fe]
    TensorView shared_up;           // [Fs, D]
    TensorView shared_down;         // [D, Fs]
    TensorView latent_down;         // fc1_latent_proj [Lt, D]; empty without LatentMoE
    TensorView latent_up;           // fc2_latent_proj [D, Lt]; empty without LatentMoE
};

struct LayerWeights {
    LayerKind kind = LayerKind::MAMBA;
    std::vector<float> norm;  // [D] pre-mixer RMSNorm
    MambaWeights mamba;       // kind == MAMBA
    AttentionWeights attn;    // kind == ATTENTION
    MlpWeights mlp;           // kind == MLP
    MoeWeights moe;           // kind == MOE
};

struct MtpWeights {
    std::vector<float> enorm;          // [D] RMSNorm of the next token's embedding
    std::vector<float> hnorm;          // [D] RMSNorm of the trunk's final hidden state
    TensorView eh_proj;                // [D, 2D] over [embedding ; hidden]
    std::vector<LayerWeights> layers;  // config.mtp_layers, e.g. attention then MoE
    std::vector<float> final_norm;     // [D] shared_head_norm / final_layernorm
};

struct ModelWeights {
    ModelConfig config;
    TensorView embeddings;  // [V, D]
    std::vector<LayerWeights> layers;
    std::vector<float> final_norm;  // [D] norm_f
    TensorView lm_head;             // [V, D]; the embeddings view when tied
    bool has_mtp = false;
    MtpWeights mtp;
    std::string source_path;
    std::vector<std::shared_ptr<const MappedFile>> files;  // keep the mappings alive
    // The 16-row-panel copies of the F32 matrices (model/f32_panels.h) that TensorView::panels point
    // into; null when the model has none.
    std::shared_ptr<const HugePageRegion> f32_panels;
    // Bytes of BF16 matrices rewritten in place as 16-row panels (model/bf16_panels.h); 0 when none.
    uint64_t bf16_panel_bytes = 0;
};

// Every matrix the forward pass multiplies (mixers, MLPs, routers, experts, LM head, MTP projection and
// layers), in the order it multiplies them, for the loader's repacking (model/f32_panels.h,
// model/bf16_panels.h); empty views included.
std::vector<TensorView*> multiplied_matrices(ModelWeights& w);

// Loads a HF model directory, a .safetensors file (config.json beside it) or a .gguf file.
// Every tensor is checked against the config's shapes; errors name the file and the tensor.
ModelWeights load_model(const std::string& path);

}  // namespace hy
