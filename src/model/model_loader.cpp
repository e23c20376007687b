// load_model: HF safetensors or GGUF -> ModelWeights through the naming table (model/tensor_names.h).
// Matrices stay views into the mapped files; per-channel vectors are converted to fp32 (model_weights.h).
#include "model/model_loader.h"

#include <filesystem>
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include "core/error.h"
#include "model/bf16_panels.h"
#include "model/config_io.h"
#include "model/dequant.h"
#include "model/f32_panels.h"
#include "model/gguf.h"
#include "model/safetensors.h"

namespace hy {

namespace {

namespace fs = std::filesystem;

struct ModelPath {
    bool gguf = false;
    std::string weights;  // .gguf file, .safetensors file or HF directory
    std::string config;   // config.json (HF only)
};

bool has_suffix(const std::string& s, const std::string& suf) {
    return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
}

ModelPath resolve_path(const std::string& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        if (fs::exists(fs::path(path) / "config.json", ec))
            return {false, path, (fs::path(path) / "config.json").string()};
        std::vector<std::string> ggufs;
        for (const auto& e : fs::directory_iterator(path, ec))
            if (e.is_regular_file(ec) && has_suffix(e.path().string(), ".gguf"))
                ggufs.push_back(e.path().string());
        if (ggufs.size() == 1) return {true, ggufs[0], {}};
        throw file_error(path, "not a model directory (no config.json and not exactly one .gguf file)");
    }
    if (!fs::is_regular_file(path, ec)) throw file_error(path, "no such model file or directory");
    if (has_suffix(path, ".gguf")) return {true, path, {}};
    if (has_suffix(path, ".safetensors")) {
        fs::path cfg = fs::path(path).parent_path() / "config.json";
        return {false, path, cfg.string()};
    }
    throw file_error(path, "unknown model file type (expected a directory, .safetensors or .gguf)");
}

bool same_shape_squeezed(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
    std::vector<int64_t> x, y;
    for (int64_t d : a)
        if (d != 1) x.push_back(d);
    for (int64_t d : b)
        if (d != 1) y.push_back(d);
    return x == y;
}

std::string shape_str(const std::vector<int64_t>& s) {
    std::string r = "[";
    for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
    return r + "]";
}

bool is_matrix_dtype(DType t) {
    switch (t) {
        case DType::F32:
        case DType::F16:
        case DType::BF16:
        case DType::F8_E4M3:
        case DType::Q8_0:
        case DType::Q4_0:
        case DType::Q4_K:
        case DType::Q6_K:
            return true;
        default:
            return false;
    }
}

using Finder = std::function<const TensorView*(const std::string&)>;

// The file (shard) a view points into, for error messages; `fallback` if none.
std::string file_of(const TensorView& v, const std::vector<std::shared_ptr<const MappedFile>>& files,
                    const std::string& fallback) {
    for (const auto& f : files)
        if (f && v.data >= f->data() && v.data < f->data() + f->size()) return f->path();
    return fallback;
}

// Looks every logical tensor up, checks its stored shape and dtype, slices stacked experts.
std::vector<LoadedTensor> resolve(const std::vector<TensorName>& names, const Finder& find,
                                  const std::string& where,
                                  const std::vector<std::shared_ptr<const MappedFile>>& files) {
    std::vector<LoadedTensor> out;
    out.reserve(names.size());
    for (const TensorName& n : names) {
        const TensorView* v = find(n.stored);
        if (!v) throw file_error(where, "missing tensor " + n.stored + " (" + n.logical + ")");
        const std::string path = file_of(*v, files, where);
        const bool ok =
            v->shape == n.stored_shape || (n.is_vector && same_shape_squeezed(v->shape, n.stored_shape));
        if (!ok)
            throw file_error(path, "tensor " + n.stored + " has shape " + shape_str(v->shape) +
                                       ", expected " + shape_str(n.stored_shape) + " for this config");
        if (!n.is_vector && !is_matrix_dtype(v->dtype))
            throw file_error(
                path, std::string("tensor ") + n.stored + " has unsupported dtype " + dtype_name(v->dtype));
        LoadedTensor t{n, *v};
        if (n.expert >= 0) {
            // Stacked [E, rows, cols]: expert e is the contiguous slice e of E.
            const uint64_t per = v->nbytes / static_cast<uint64_t>(n.stored_shape[0]);
            t.view.data = v->data + per * static_cast<uint64_t>(n.expert);
            t.view.nbytes = per;
            t.view.shape = n.shape;
        } else if (!n.is_vector) {
            t.view.shape = n.shape;
        }
        out.push_back(std::move(t));
    }
    return out;
}

class Filler {
  public:
    explicit Filler(const std::vector<LoadedTensor>& ts) {
        for (const auto& t : ts) by_name_[t.name.logical] = &t;
    }
    bool has(const std::string& n) const { return by_name_.count(n) != 0; }
    TensorView mat(const std::string& n) const { return by_name_.at(n)->view; }
    std::vector<float> vec(const std::string& n) const { return logical_values(*by_name_.at(n)); }
    TensorView mat_opt(const std::string& n) const { return has(n) ? mat(n) : TensorView{}; }

    LayerWeights layer(LayerKind kind, const std::string& p, const ModelConfig& c) const {
        LayerWeights w;
        w.kind = kind;
        w.norm = vec(p + "norm");
        switch (kind) {
            case LayerKind::MAMBA: {
                MambaWeights& m = w.mamba;
                m.in_proj = mat(p + "mamba.in_proj");
                m.conv_weight = vec(p + "mamba.conv_weight");
                m.conv_bias = vec(p + "mamba.conv_bias");
                m.dt_bias = vec(p + "mamba.dt_bias");
                m.A = vec(p + "mamba.A");
                m.D = vec(p + "mamba.D");
                m.norm = vec(p + "mamba.norm");
                m.out_proj = mat(p + "mamba.out_proj");
                break;
            }
            case LayerKind::ATTENTION:
                w.attn = {mat(p + "attn.q_proj"), mat(p + "attn.k_proj"), mat(p + "attn.v_proj"),
                          mat(p + "attn.o_proj")};
                break;
            case LayerKind::MLP:
                w.mlp = {mat(p + "mlp.up_proj"), mat(p + "mlp.down_proj")};
                break;
            case LayerKind::MOE: {
                MoeWeights& m = w.moe;
                m.router = mat(p + "moe.router");
                m.score_bias = vec(p + "moe.score_bias");
                for (int64_t e = 0; e < c.n_routed_experts; ++e) {
                    m.up.push_back(mat(p + "moe.experts." + std::to_string(e) + ".up"));
                    m.down.push_back(mat(p + "moe.experts." + std::to_string(e) + ".down"));
                }
                m.shared_up = mat_opt(p + "moe.shared_up");
                m.shared_down = mat_opt(p + "moe.shared_down");
                m.latent_down = mat_opt(p + "moe.latent_down");
                m.latent_up = mat_opt(p + "moe.latent_up");
                break;
            }
        }
        return w;
    }

  private:
    std::unordered_map<std::string, const LoadedTensor*> by_name_;
};

ModelWeights assemble(ModelConfig config, const std::vector<LoadedTensor>& ts) {
    Filler f(ts);
    ModelWeights w;
    w.config = std::move(config);
    const ModelConfig& c = w.config;
    w.embeddings = f.mat("embeddings");
    for (int64_t i = 0; i < c.num_layers(); ++i)
        w.layers.push_back(f.layer(c.layers[static_cast<size_t>(i)], "layers." + std::to_string(i) + ".", c));
    w.final_norm = f.vec("final_norm");
    w.lm_head = c.tie_word_embeddings ? w.embeddings : f.mat("lm_head");
    if (c.has_mtp()) {
        w.has_mtp = true;
        w.mtp.enorm = f.vec("mtp.enorm");
        w.mtp.hnorm = f.vec("mtp.hnorm");
        w.mtp.eh_proj = f.mat("mtp.eh_proj");
        for (size_t i = 0; i < c.mtp_layers.size(); ++i)
            w.mtp.layers.push_back(f.layer(c.mtp_layers[i], "mtp.layers." + std::to_string(i) + ".", c));
        w.mtp.final_norm = f.vec("mtp.final_norm");
    }
    return w;
}

std::vector<TensorView> unused_tensors(const std::vector<TensorView>& all,
                                       const std::vector<LoadedTensor>& used) {
    std::unordered_set<std::string> names;
    for (const auto& t : used) names.insert(t.name.stored);
    std::vector<TensorView> out;
    for (const auto& t : all) {
        std::string n = t.name;
        if (n.rfind("language_model.", 0) == 0) n = n.substr(15);
        if (!names.count(n)) out.push_back(t);
    }
    return out;
}

}  // namespace

ModelConfig load_model_config(const std::string& path) {
    ModelPath mp = resolve_path(path);
    if (mp.gguf) return config_from_gguf(open_gguf(mp.weights));
    return load_hf_config(mp.config);
}

ModelWeights load_model(const std::string& path, ModelLoadInfo* info) {
    ModelPath mp = resolve_path(path);
    ModelWeights w;
    std::vector<LoadedTensor> ts;
    if (mp.gguf) {
        GgufFile g = open_gguf(mp.weights, weights_file_residency());
        ModelConfig c = config_from_gguf(g);
        ts = resolve(tensor_names(c, WeightFormat::GGUF),
                     [&](const std::string& n) { return g.find_tensor(n); }, mp.weights, {g.file});
        w = assemble(std::move(c), ts);
        w.files = {g.file};
        if (info) {
            info->format = WeightFormat::GGUF;
            info->unused = unused_tensors(g.tensors, ts);
        }
    } else {
        ModelConfig c = load_hf_config(mp.config);
        SafetensorsArchive a = open_safetensors(mp.weights, weights_file_residency());
        auto find = [&](const std::string& n) {
            const TensorView* v = a.find(n);
            return v ? v : a.find("language_model." + n);
        };
        ts = resolve(tensor_names(c, WeightFormat::HF), find, mp.weights, a.files);
        w = assemble(std::move(c), ts);
        w.files = a.files;
        if (info) {
            info->format = WeightFormat::HF;
            info->unused = unused_tensors(a.tensors, ts);
        }
    }
    w.source_path = path;
    pack_f32_matrices(w);
    w.bf16_panel_bytes = pack_bf16_matrices(w);
    if (info) {
        info->tensors = std::move(ts);
        info->files = w.files;
    }
    return w;
}

ModelWeights load_model(const std::string& path) {
    return load_model(path, nullptr);
}

std::vector<float> logical_values(const LoadedTensor& t) {
    std::vector<float> v = tensor_to_f32(t.view);
    if (t.name.transform == TensorTransform::NEG_EXP)
        for (float& x : v) x = a_from_a_log(x);
    return v;
}

}  // namespace hy
