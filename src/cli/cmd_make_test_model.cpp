// `hyserve make-test-model OUTDIR`: a deterministic random-weight Nemotron-H with a BPE tokenizer
// trained on the embedded text and the embedded Nemotron 3 chat template (model/test_model.h).
// HF files go into OUTDIR, the GGUF file is OUTDIR/model.gguf.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "cli/model_tokenizer.h"
#include "core/error.h"
#include "model/test_model.h"
#include "tokenizer/bpe_trainer.h"

namespace hy::cli {

namespace {

// The embedded text runs out of pairs far below a GPT-2-sized vocabulary (issue 10's bench preset):
// larger vocabularies train this many tokens at most and pad the rest with unused tokens (GGUF token
// type 5) that no merge produces, so the embedding and the head have the full size.
constexpr int kMaxTrainedVocab = 8192;

TestModelTokenizer make_tokenizer(int vocab_size, const ModelConfig& c) {
    TestModelTokenizer t =
        make_model_tokenizer(tok::default_bpe_training_text(), std::min(vocab_size, kMaxTrainedVocab),
                             tok::default_pretokenizer_regex(), c.max_position_embeddings, c.eos_token_ids);
    if (vocab_size > kMaxTrainedVocab)
        for (int i = static_cast<int>(t.tokens.size()); i < vocab_size; ++i) {
            t.tokens.push_back("<unused_" + std::to_string(i) + ">");
            t.token_types.push_back(5);
        }
    return t;
}

struct Options {
    std::string outdir;
    std::string preset = "tiny";
    uint64_t seed = 1;
    std::string format = "hf";
    std::string dtype = "f32";
    bool latent = false;
    bool no_mtp = false;
};

void run(const Options& o) {
    const auto t0 = std::chrono::steady_clock::now();
    DType dtype;
    std::string torch_dtype;
    if (o.dtype == "f32") {
        dtype = DType::F32, torch_dtype = "float32";
    } else if (o.dtype == "f16") {
        dtype = DType::F16, torch_dtype = "float16";
    } else if (o.dtype == "bf16") {
        dtype = DType::BF16, torch_dtype = "bfloat16";
    } else if (o.dtype == "q8_0") {
        dtype = DType::Q8_0, torch_dtype = "q8_0";
        if (o.format != "gguf") throw Error("--dtype q8_0 needs --format gguf (safetensors has no Q8_0)");
    } else {
        throw Error("--dtype must be f32, f16, bf16 or q8_0");
    }
    const int vocab = test_model_vocab_size(o.preset);
    // The BPE may stop short of the target when the text runs out of pairs: size the model by it.
    ModelConfig probe = test_model_config(o.preset, o.latent, vocab);
    TestModelTokenizer tok = make_tokenizer(vocab, probe);
    ModelConfig c = test_model_config(o.preset, o.latent, static_cast<int64_t>(tok.tokens.size()));
    c.torch_dtype = torch_dtype;
    if (o.no_mtp) {
        c.num_nextn_predict_layers = 0;
        c.mtp_layers.clear();
    }
    const std::vector<GeneratedTensor> w = generate_test_weights(c, o.seed);
    const std::string name = "hyserve-test-" + o.preset + (o.latent ? "-latent" : "");
    if (o.format == "hf" || o.format == "both") write_test_model_hf(o.outdir, c, w, dtype, tok);
    if (o.format == "gguf" || o.format == "both")
        write_test_model_gguf((std::filesystem::path(o.outdir) / "model.gguf").string(), c, w, dtype, tok,
                              name, o.preset == "bench");  // issue 10: router F32 as in real checkpoints
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::printf("wrote %s (%s, pattern %s + MTP %s, vocab %lld, %s, seed %llu) in %.0f ms\n",
                o.outdir.c_str(), name.c_str(), c.layer_pattern().c_str(), c.mtp_layer_pattern().c_str(),
                static_cast<long long>(c.vocab_size), o.dtype.c_str(),
                static_cast<unsigned long long>(o.seed), ms);
}

}  // namespace

void register_make_test_model(CLI::App& app) {
    auto opts = std::make_shared<Options>();
    auto* cmd =
        app.add_subcommand("make-test-model", "Write a deterministic random-weight Nemotron-H test model");
    cmd->add_option("outdir", opts->outdir, "Output directory (HF files; GGUF as OUTDIR/model.gguf)")
        ->required();
    cmd->add_option(
           "--preset", opts->preset,
           "tiny (D 64, 8 layers), small (D 256, 24 layers) or bench (D 1024, 24 layers, 64 experts, "
           "~723M parameters, no MTP: issue 10)")
        ->check(CLI::IsMember({"tiny", "small", "bench"}));
    cmd->add_option("--seed", opts->seed, "PRNG seed (same seed, same weights, any machine)");
    cmd->add_option("--format", opts->format, "hf, gguf or both")
        ->check(CLI::IsMember({"hf", "gguf", "both"}));
    cmd->add_option("--dtype", opts->dtype, "Matrix dtype: f32, f16, bf16, or q8_0 (GGUF only)")
        ->check(CLI::IsMember({"f32", "f16", "bf16", "q8_0"}));
    cmd->add_flag("--latent", opts->latent, "LatentMoE: routed experts in a smaller latent space");
    // The MTP block goes into GGUF as an extra block L (llama.cpp's next-token-prediction convention);
    // runtimes that do not know it for nemotron_h may reject the file: this leaves it out.
    cmd->add_flag("--no-mtp", opts->no_mtp, "Leave out the MTP block");
    cmd->callback([opts] { run(*opts); });
}

}  // namespace hy::cli
