// The one naming layer between file formats and the model (spec/model.md §3): for a config, the list of
// logical tensors with their HF safetensors or GGUF (llama.cpp) name, stored shape and conversion.
// Code that runs the model sees only logical names (via ModelWeights); the loader, `inspect` and
// make-test-model all read this table, so the formats cannot drift apart.
//
// Logical names: "embeddings", "final_norm", "lm_head" (absent when tied), "layers.N.norm",
// "layers.N.mamba.{in_proj,conv_weight,conv_bias,dt_bias,A,D,norm,out_proj}",
// "layers.N.attn.{q_proj,k_proj,v_proj,o_proj}", "layers.N.mlp.{up_proj,down_proj}",
// "layers.N.moe.{router,score_bias,shared_up,shared_down,latent_down,latent_up}",
// "layers.N.moe.experts.e.{up,down}", and for the MTP block "mtp.{enorm,hnorm,eh_proj,final_norm}" plus
// "mtp.layers.i.<same as a trunk layer>". Logical shapes are those of ModelWeights (conv [Cd, K],
// A/D/dt_bias [Hm], mamba norm [Di]).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/model_config.h"

namespace hy {

enum class WeightFormat { HF, GGUF };

enum class TensorTransform {
    NONE,     // stored values are the logical values (reshaped at most)
    NEG_EXP,  // stored A_log; logical A = -exp(A_log) (HF). GGUF stores A itself.
};

struct TensorName {
    std::string logical;
    std::vector<int64_t> shape;         // logical shape
    bool is_vector = false;             // converted to fp32 at load (norms, biases, conv taps, SSM scalars)
    std::string stored;                 // name in the file (HF names without a `language_model.` prefix)
    std::vector<int64_t> stored_shape;  // shape of the whole stored tensor, PyTorch order
    int64_t expert = -1;                // >= 0: slice `expert` of a stacked [E, ...] GGUF tensor
    TensorTransform transform = TensorTransform::NONE;
    bool mtp = false;  // part of the MTP block
};

// Every tensor the config implies, in a stable order (embeddings, trunk layers, final norm, head,
// MTP). Throws hy::Error if the config cannot be expressed in `format` (GGUF: an MTP pattern other than
// at most one mixer layer followed by at most one FFN layer, since llama.cpp flattens it into one block).
std::vector<TensorName> tensor_names(const ModelConfig& c, WeightFormat format);

// A = -exp(A_log), in fp32. One function so the HF loader and the GGUF writer round identically.
float a_from_a_log(float a_log);

}  // namespace hy
