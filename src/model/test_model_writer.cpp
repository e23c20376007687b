// Writing a generated test model as a HF directory or a GGUF file, through the naming table, so both
// formats hold the same logical tensors (model/test_model.h).
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "model/config_io.h"
#include "model/dequant.h"
#include "model/gguf_writer.h"
#include "model/safetensors_writer.h"
#include "model/tensor_names.h"
#include "model/test_model.h"

namespace hy {

namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> encode(const std::vector<float>& v, DType t) {
    std::vector<uint8_t> out(dtype_bytes(t, v.size()));
    switch (t) {
        case DType::F32:
            std::memcpy(out.data(), v.data(), out.size());
            break;
        case DType::F16:
        case DType::BF16:
            for (size_t i = 0; i < v.size(); ++i) {
                uint16_t h = t == DType::F16 ? f32_to_f16(v[i]) : f32_to_bf16(v[i]);
                std::memcpy(out.data() + 2 * i, &h, 2);
            }
            break;
        case DType::Q8_0:
            quantize_row_q8_0(v.data(), out.data(), static_cast<int64_t>(v.size()));
            break;
        default:
            throw Error(std::string("test model: unsupported weight dtype ") + dtype_name(t));
    }
    return out;
}

void write_text(const fs::path& p, const std::string& text) {
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f) throw file_error(p.string(), "cannot write");
}

// The two tables list the same logical tensors in the same order; checked, because the writers rely on it.
void check_order(const std::vector<TensorName>& names, const std::vector<GeneratedTensor>& w) {
    if (names.size() != w.size()) throw Error("test model: weight list does not match the config");
    for (size_t i = 0; i < w.size(); ++i)
        if (names[i].logical != w[i].logical)
            throw Error("test model: weight order mismatch at " + w[i].logical);
}

uint32_t gguf_file_type(DType t) {
    switch (t) {
        case DType::F32:
            return 0;
        case DType::F16:
            return 1;
        case DType::Q8_0:
            return 7;
        case DType::BF16:
            return 32;
        default:
            throw Error(std::string("test model: unsupported GGUF dtype ") + dtype_name(t));
    }
}

}  // namespace

void write_test_model_hf(const std::string& dir, const ModelConfig& c, const std::vector<GeneratedTensor>& w,
                         DType dtype, const TestModelTokenizer& tok) {
    if (dtype != DType::F32 && dtype != DType::F16 && dtype != DType::BF16)
        throw Error(std::string("HF test models store F32, F16 or BF16, not ") + dtype_name(dtype));
    const std::vector<TensorName> names = tensor_names(c, WeightFormat::HF);
    check_order(names, w);
    fs::create_directories(dir);

    std::vector<std::vector<uint8_t>> buffers;
    buffers.reserve(names.size());
    std::vector<SafetensorsTensorIn> tensors;
    for (size_t i = 0; i < names.size(); ++i) {
        const DType t = names[i].is_vector ? DType::F32 : dtype;
        buffers.push_back(encode(w[i].values, t));
        tensors.push_back(
            {names[i].stored, t, names[i].stored_shape, buffers.back().data(), buffers.back().size()});
    }
    write_safetensors((fs::path(dir) / "model.safetensors").string(), tensors, {{"format", "pt"}});
    nlohmann::json cfg = config_to_hf_json(c);
    cfg["torch_dtype"] = dtype == DType::F32 ? "float32" : dtype == DType::F16 ? "float16" : "bfloat16";
    write_text(fs::path(dir) / "config.json", cfg.dump(2) + "\n");
    write_text(fs::path(dir) / "tokenizer.json", tok.tokenizer_json);
    write_text(fs::path(dir) / "tokenizer_config.json", tok.tokenizer_config_json);
    write_text(fs::path(dir) / "generation_config.json", tok.generation_config_json);
}

void write_test_model_gguf(const std::string& path, const ModelConfig& c,
                           const std::vector<GeneratedTensor>& w, DType dtype, const TestModelTokenizer& tok,
                           const std::string& name, bool router_f32) {
    const std::vector<TensorName> hf = tensor_names(c, WeightFormat::HF);
    const std::vector<TensorName> names = tensor_names(c, WeightFormat::GGUF);
    check_order(names, w);
    GgufWriter g;
    config_to_gguf(c, g);
    g.add("general.name", GgufValue::string(name));
    g.add("general.file_type", GgufValue::u32(gguf_file_type(dtype)));
    g.add("general.quantization_version", GgufValue::u32(2));
    g.add("tokenizer.ggml.model", GgufValue::string("gpt2"));
    g.add("tokenizer.ggml.pre", GgufValue::string(tok.pre));
    g.add("tokenizer.ggml.tokens", GgufValue::string_array(tok.tokens));
    g.add("tokenizer.ggml.token_type", GgufValue::i32_array(tok.token_types));
    g.add("tokenizer.ggml.merges", GgufValue::string_array(tok.merges));
    g.add("tokenizer.ggml.bos_token_id", GgufValue::u32(static_cast<uint32_t>(tok.bos_id)));
    g.add("tokenizer.ggml.eos_token_id", GgufValue::u32(static_cast<uint32_t>(tok.eos_id)));
    g.add("tokenizer.ggml.eot_token_id", GgufValue::u32(static_cast<uint32_t>(tok.eot_id)));
    g.add("tokenizer.ggml.unknown_token_id", GgufValue::u32(static_cast<uint32_t>(tok.unk_id)));
    g.add("tokenizer.ggml.padding_token_id", GgufValue::u32(static_cast<uint32_t>(tok.pad_id)));
    g.add("tokenizer.ggml.add_bos_token", GgufValue::boolean(false));
    g.add("tokenizer.ggml.add_eos_token", GgufValue::boolean(false));
    if (!tok.chat_template.empty()) g.add("tokenizer.chat_template", GgufValue::string(tok.chat_template));

    std::vector<float> stack;  // llama.cpp stacks the experts of a layer into one [E, out, in] tensor
    for (size_t i = 0; i < names.size(); ++i) {
        const TensorName& t = names[i];
        std::vector<float> values = w[i].values;
        if (hf[i].transform == TensorTransform::NEG_EXP)
            for (float& x : values) x = a_from_a_log(x);  // GGUF stores A = -exp(A_log)
        const bool router =
            t.logical.size() >= 6 && t.logical.compare(t.logical.size() - 6, 6, "router") == 0;
        const DType dt = t.is_vector || (router && (dtype == DType::Q8_0 || router_f32)) ? DType::F32 : dtype;
        if (t.expert >= 0) {
            stack.insert(stack.end(), values.begin(), values.end());
            if (t.expert + 1 < t.stored_shape[0]) continue;
            values.swap(stack);
            stack.clear();
        }
        std::vector<uint8_t> bytes = encode(values, dt);
        g.add_tensor(t.stored, dt, t.stored_shape, bytes.data(), bytes.size());
    }
    if (fs::path(path).has_parent_path()) fs::create_directories(fs::path(path).parent_path());
    g.write(path);
}

}  // namespace hy
