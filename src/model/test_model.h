// Deterministic random-weight Nemotron-H models for tests, benchmarks and the embedded default model
// (`hyserve make-test-model`, issue 2). Every layer kind (M, *, -, E with shared expert) and one MTP
// block `*E`; optionally LatentMoE. Weights come from a self-contained PRNG (splitmix64 + Box-Muller in
// double precision, rounded to float), one stream per logical tensor name, so the same seed gives the
// same numbers in any order, in any format, on any machine.
//
// Initialisation (std = standard deviation, N = normal):
//   matrices              N(0, 1/fan_in)  (std 1/sqrt(in): 0.125 at D 64; ~0.02 at real widths), so
//                         pre-normed activations keep unit scale and logits have std ~1 (not degenerate)
//   embeddings            N(0, 1/D)
//   norm weights          1 + N(0, 0.1^2)  (jittered on purpose: a norm the loader drops changes logits)
//   conv1d weight / bias  N(0, 1/K) / N(0, 0.1^2)
//   A_log                 log U[1, 16]      (logical A = -exp(A_log))
//   dt_bias               softplus^-1(dt), dt log-uniform in [0.001, 0.1]
//   D                     1 + N(0, 0.1^2)
//   router bias           N(0, 0.05^2)
// Per-channel vectors are stored F32 in both formats; matrices in the chosen dtype.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "model/model_config.h"

namespace hy {

// The tokenizer side of a test model. The model module does not depend on the tokenizer module, so the
// caller (cli/cmd_make_test_model.cpp) trains the BPE and fills this in.
struct TestModelTokenizer {
    std::vector<std::string> tokens;   // id -> token (GPT-2 byte-level alphabet)
    std::vector<std::string> merges;   // "left right", rank order
    std::vector<int32_t> token_types;  // GGUF token types: 1 normal, 3 control
    int64_t bos_id = 1, eos_id = 2, eot_id = 11, pad_id = 0, unk_id = 0;
    std::string pre = "llama-bpe";  // tokenizer.ggml.pre: llama.cpp's name for the split regex
    std::string chat_template;
    std::string tokenizer_json;          // HF tokenizer.json text
    std::string tokenizer_config_json;   // HF tokenizer_config.json text
    std::string generation_config_json;  // HF generation_config.json text
};

// "tiny" (D 64, 8 layers, a few MB in F32) or "small" (D 256, 24 layers, for throughput baselines).
// `latent` turns on LatentMoE. Throws hy::Error for an unknown preset.
ModelConfig test_model_config(const std::string& preset, bool latent, int64_t vocab_size);
// Vocabulary size the preset's BPE is trained to.
int test_model_vocab_size(const std::string& preset);

struct GeneratedTensor {
    std::string logical;        // tensor_names() logical name
    std::vector<float> values;  // for "...mamba.A" these are A_log (the HF-stored parameter)
};

// Every logical tensor of `c` (tensor_names order), deterministic in (seed, logical name).
std::vector<GeneratedTensor> generate_test_weights(const ModelConfig& c, uint64_t seed);

// Writes config.json, model.safetensors, tokenizer.json, tokenizer_config.json and
// generation_config.json into `dir` (created). Matrices in `dtype` (F32, F16 or BF16).
void write_test_model_hf(const std::string& dir, const ModelConfig& c, const std::vector<GeneratedTensor>& w,
                         DType dtype, const TestModelTokenizer& tok);

// Writes one GGUF file with llama.cpp's key and tensor names. Matrices in `dtype` (F32, F16, BF16 or
// Q8_0; with Q8_0, or when `router_f32`, the router stays F32, as llama.cpp's converter leaves it).
void write_test_model_gguf(const std::string& path, const ModelConfig& c,
                           const std::vector<GeneratedTensor>& w, DType dtype, const TestModelTokenizer& tok,
                           const std::string& name, bool router_f32 = false);

}  // namespace hy
