// `hyserve convert HFDIR OUT.gguf`: a HF Nemotron-H directory (config.json, model.safetensors, tokenizer
// files) to one GGUF file with llama.cpp's key and tensor names, through the same naming table and
// writer as make-test-model (model/tensor_names.h, model/test_model.h), so both formats hold the same
// logical tensors. The trained default model (issue 11) ships its GGUF copy this way.
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "cli/model_tokenizer.h"
#include "core/error.h"
#include "model/config_io.h"
#include "model/dequant.h"
#include "model/safetensors.h"
#include "model/tensor_names.h"
#include "model/test_model.h"

namespace hy::cli {

namespace {

struct Options {
    std::string hf_dir;
    std::string out;
    std::string dtype = "same";
    std::string name;
};

DType matrix_dtype(const std::string& want, const std::string& torch_dtype) {
    const std::string d = want == "same" ? torch_dtype : want;
    if (d == "f32" || d == "float32") return DType::F32;
    if (d == "f16" || d == "float16") return DType::F16;
    if (d == "bf16" || d == "bfloat16") return DType::BF16;
    if (d == "q8_0") return DType::Q8_0;
    throw Error("convert: unsupported dtype \"" + d + "\" (f32, f16, bf16 or q8_0)");
}

void run(const Options& o) {
    namespace fs = std::filesystem;
    const auto t0 = std::chrono::steady_clock::now();
    ModelConfig c = load_hf_config((fs::path(o.hf_dir) / "config.json").string());
    const DType dtype = matrix_dtype(o.dtype, c.torch_dtype);
    const SafetensorsArchive st = open_safetensors(o.hf_dir);
    std::vector<GeneratedTensor> w;
    for (const TensorName& t : tensor_names(c, WeightFormat::HF)) {
        const TensorView& v = st.get(t.stored);
        int64_t want = 1;
        for (int64_t d : t.stored_shape) want *= d;
        if (v.numel() != want) throw Error(o.hf_dir + ": " + t.stored + " has the wrong number of elements");
        // Values as stored (A_log for HF's A): the GGUF writer applies the format's transforms.
        w.push_back({t.logical, tensor_to_f32(v)});
    }
    const TestModelTokenizer tok = read_model_tokenizer(o.hf_dir);
    const std::string name = o.name.empty() ? fs::path(o.hf_dir).filename().string() : o.name;
    write_test_model_gguf(o.out, c, w, dtype, tok, name);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("wrote %s (%zu tensors, %s) in %.1f s\n", o.out.c_str(), w.size(), dtype_name(dtype), s);
}

}  // namespace

void register_convert(CLI::App& app) {
    auto opts = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("convert", "Convert a HF Nemotron-H directory to a GGUF file");
    cmd->add_option("hf_dir", opts->hf_dir, "HF model directory")->required();
    cmd->add_option("out", opts->out, "Output .gguf path")->required();
    cmd->add_option("--dtype", opts->dtype,
                    "Matrix dtype: same (as config torch_dtype), f32, f16, bf16, q8_0");
    cmd->add_option("--name", opts->name, "general.name (default: the directory name)");
    cmd->callback([opts] { run(*opts); });
}

}  // namespace hy::cli
