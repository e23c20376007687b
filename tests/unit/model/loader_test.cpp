// load_model through the naming table: HF and GGUF copies of one generated model give bit-identical
// logical tensors; views are zero-copy; broken models fail naming the file and the tensor.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "model/config_io.h"
#include "model/dequant.h"
#include "model/model_loader.h"
#include "model/safetensors.h"
#include "model/safetensors_writer.h"
#include "model_files_fixture.h"

namespace hy {
namespace {

using testing_util::dummy_tokenizer;
using testing_util::TempDir;

struct Written {
    ModelConfig config;
    std::vector<GeneratedTensor> weights;
};

Written write_both(const TempDir& dir, bool latent, DType hf_dtype, DType gguf_dtype, uint64_t seed = 7) {
    Written w;
    w.config = test_model_config("tiny", latent, 300);
    w.weights = generate_test_weights(w.config, seed);
    const TestModelTokenizer tok = dummy_tokenizer(300);
    write_test_model_hf(dir.str("hf"), w.config, w.weights, hf_dtype, tok);
    write_test_model_gguf(dir.str("model.gguf"), w.config, w.weights, gguf_dtype, tok, "test");
    return w;
}

std::map<std::string, std::vector<float>> logical_map(const ModelLoadInfo& info) {
    std::map<std::string, std::vector<float>> m;
    for (const auto& t : info.tensors) m[t.name.logical] = logical_values(t);
    return m;
}

bool inside(const ModelWeights& w, const TensorView& v) {
    for (const auto& f : w.files)
        if (v.data >= f->data() && v.data + v.nbytes <= f->data() + f->size()) return true;
    return false;
}

void expect_same_config(const ModelConfig& a, const ModelConfig& b) {
    nlohmann::json ja = config_to_json(a), jb = config_to_json(b);
    EXPECT_EQ(ja, jb) << ja.dump() << "\n" << jb.dump();
}

class HfGgufIdentity : public ::testing::TestWithParam<std::tuple<bool, DType>> {};

TEST_P(HfGgufIdentity, SameSeedGivesBitIdenticalLogicalTensors) {
    const auto [latent, dtype] = GetParam();
    TempDir dir("identity");
    Written w = write_both(dir, latent, dtype, dtype);
    ModelLoadInfo hi, gi;
    ModelWeights h = load_model(dir.str("hf"), &hi);
    ModelWeights g = load_model(dir.str("model.gguf"), &gi);
    EXPECT_EQ(hi.format, WeightFormat::HF);
    EXPECT_EQ(gi.format, WeightFormat::GGUF);
    EXPECT_TRUE(hi.unused.empty());
    EXPECT_TRUE(gi.unused.empty());

    expect_same_config(h.config, g.config);
    EXPECT_EQ(h.config.layer_pattern(), "M*M-EM*E");
    EXPECT_EQ(g.config.mtp_layer_pattern(), "*E");
    EXPECT_EQ(g.config.moe_latent_size, latent ? 32 : 0);

    auto hm = logical_map(hi), gm = logical_map(gi);
    ASSERT_EQ(hm.size(), gm.size());
    for (const auto& [name, values] : hm) {
        ASSERT_TRUE(gm.count(name)) << name;
        ASSERT_EQ(values.size(), gm[name].size()) << name;
        EXPECT_EQ(0, std::memcmp(values.data(), gm[name].data(), values.size() * sizeof(float))) << name;
    }
    // The stored matrices are the generated values rounded to the dtype, and A is -exp(A_log).
    for (size_t i = 0; i < w.weights.size(); ++i) {
        const auto& gen = w.weights[i];
        const auto& got = hm[gen.logical];
        ASSERT_EQ(gen.values.size(), got.size()) << gen.logical;
        const bool is_a = gen.logical.size() > 7 && gen.logical.substr(gen.logical.size() - 7) == "mamba.A";
        for (size_t k = 0; k < got.size(); ++k) {
            float want = is_a ? a_from_a_log(gen.values[k]) : gen.values[k];
            if (dtype == DType::BF16 && !hi.tensors[i].name.is_vector) want = bf16_to_f32(f32_to_bf16(want));
            ASSERT_EQ(want, got[k]) << gen.logical << "[" << k << "]";
        }
    }
    for (const auto& [m, info] : {std::pair{&h, &hi}, std::pair{&g, &gi}}) {
        // Zero-copy: every matrix view lies inside a mapped file.
        for (const auto& t : info->tensors)
            if (!t.name.is_vector) {
                EXPECT_TRUE(inside(*m, t.view)) << t.name.logical;
            }
        ASSERT_EQ(m->layers.size(), 8u);
        EXPECT_TRUE(m->has_mtp);
        ASSERT_EQ(m->mtp.layers.size(), 2u);
        EXPECT_EQ(m->mtp.layers[1].moe.up.size(), 8u);
        EXPECT_EQ(m->layers[0].mamba.A, hm["layers.0.mamba.A"]);
        EXPECT_EQ(m->layers[0].mamba.conv_weight.size(), 192u * 4u);
        EXPECT_EQ(m->layers[4].moe.up[3].shape, (std::vector<int64_t>{32, latent ? 32 : 64}));
        EXPECT_EQ(m->layers[4].moe.latent_down.empty(), !latent);
        EXPECT_EQ(m->lm_head.shape, (std::vector<int64_t>{300, 64}));
    }
    // Expert e of a stacked GGUF tensor is a slice of it.
    EXPECT_EQ(g.layers[4].moe.up[1].data, g.layers[4].moe.up[0].data + g.layers[4].moe.up[0].nbytes);
}

INSTANTIATE_TEST_SUITE_P(Formats, HfGgufIdentity,
                         ::testing::Values(std::tuple{false, DType::F32}, std::tuple{true, DType::F32},
                                           std::tuple{false, DType::BF16}));

TEST(ModelLoader, Q8_0GgufDequantisesCloseToF32) {
    TempDir dir("q8");
    write_both(dir, false, DType::F32, DType::Q8_0);
    ModelLoadInfo hi, gi;
    load_model(dir.str("hf"), &hi);
    ModelWeights g = load_model(dir.str("model.gguf"), &gi);
    EXPECT_EQ(g.layers[0].mamba.in_proj.dtype, DType::Q8_0);
    EXPECT_EQ(g.layers[4].moe.router.dtype, DType::F32);  // routers stay F32, as llama.cpp keeps them
    EXPECT_EQ(g.layers[4].moe.up[2].dtype, DType::Q8_0);
    EXPECT_EQ(g.config.torch_dtype, "q8_0");
    auto hm = logical_map(hi), gm = logical_map(gi);
    for (const auto& [name, values] : hm) {
        float max_abs = 0, max_err = 0;
        for (size_t k = 0; k < values.size(); ++k) {
            max_abs = std::max(max_abs, std::fabs(values[k]));
            max_err = std::max(max_err, std::fabs(values[k] - gm[name][k]));
        }
        EXPECT_LE(max_err, max_abs / 127.0f + 1e-6f) << name;
    }
}

TEST(ModelLoader, TiedHeadIsTheEmbedding) {
    TempDir dir("tied");
    ModelConfig c = test_model_config("tiny", false, 300);
    c.tie_word_embeddings = true;
    auto w = generate_test_weights(c, 3);
    write_test_model_hf(dir.str("hf"), c, w, DType::F32, dummy_tokenizer(300));
    write_test_model_gguf(dir.str("m.gguf"), c, w, DType::F32, dummy_tokenizer(300), "t");
    for (const char* p : {"hf", "m.gguf"}) {
        ModelWeights m = load_model(dir.str(p));
        EXPECT_TRUE(m.config.tie_word_embeddings) << p;
        EXPECT_EQ(m.lm_head.data, m.embeddings.data) << p;
    }
}

// Rewrites `dir`/model.safetensors keeping the tensors `keep` accepts, renamed by `rename`.
template <class Keep, class Rename>
void rewrite_safetensors(const std::string& dir, Keep keep, Rename rename) {
    SafetensorsArchive a = open_safetensors(dir + "/model.safetensors");
    std::vector<std::vector<uint8_t>> copies;
    std::vector<SafetensorsTensorIn> out;
    for (const auto& t : a.tensors) {
        if (!keep(t.name)) continue;
        copies.emplace_back(t.data, t.data + t.nbytes);
        out.push_back({rename(t.name), t.dtype, t.shape, copies.back().data(), t.nbytes});
    }
    a = SafetensorsArchive{};
    write_safetensors(dir + "/model.safetensors", out);
}

void expect_load_error(const std::string& path, const std::vector<std::string>& needles) {
    try {
        load_model(path);
        FAIL() << "loaded " << path;
    } catch (const Error& e) {
        for (const auto& n : needles) EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << e.what();
    }
}

TEST(ModelLoader, LanguageModelPrefixIsAccepted) {
    TempDir dir("prefix");
    write_both(dir, false, DType::F32, DType::F32);
    rewrite_safetensors(
        dir.str("hf"), [](const std::string&) { return true; },
        [](const std::string& n) { return "language_model." + n; });
    ModelLoadInfo info;
    load_model(dir.str("hf"), &info);
    EXPECT_TRUE(info.unused.empty());
}

TEST(ModelLoader, MissingTensorNamesFileAndTensor) {
    TempDir dir("missing");
    write_both(dir, false, DType::F32, DType::F32);
    rewrite_safetensors(
        dir.str("hf"), [](const std::string& n) { return n != "backbone.layers.2.mixer.dt_bias"; },
        [](const std::string& n) { return n; });
    expect_load_error(dir.str("hf"), {dir.str("hf"), "backbone.layers.2.mixer.dt_bias", "missing"});
}

TEST(ModelLoader, ShapeAgainstConfigNamesFileAndTensor) {
    TempDir dir("shape");
    write_both(dir, false, DType::F32, DType::F32);
    // A config whose dense MLP is wider than the stored tensors.
    std::ifstream in(dir.str("hf/config.json"));
    nlohmann::json j = nlohmann::json::parse(in);
    j["intermediate_size"] = 96;
    std::ofstream(dir.str("hf/config.json")) << j.dump();
    expect_load_error(dir.str("hf"),
                      {"model.safetensors", "backbone.layers.3.mixer.up_proj.weight", "[128, 64]"});
}

TEST(ModelLoader, PathErrors) {
    TempDir dir("paths");
    expect_load_error(dir.str(), {dir.str(), "not a model directory"});
    expect_load_error(dir.str("nope.gguf"), {"nope.gguf"});
    std::ofstream(dir.str("x.bin")) << "hello";
    expect_load_error(dir.str("x.bin"), {"x.bin", "unknown model file type"});
    std::ofstream(dir.str("bad.gguf")) << "GGUF";
    expect_load_error(dir.str("bad.gguf"), {"bad.gguf"});
}

TEST(ModelLoader, GgufDirectoryWithOneFileLoadsIt) {
    TempDir dir("ggufdir");
    ModelConfig c = test_model_config("tiny", false, 300);
    write_test_model_gguf(dir.str("only.gguf"), c, generate_test_weights(c, 1), DType::F32,
                          dummy_tokenizer(300), "t");
    EXPECT_EQ(load_model_config(dir.str()).layer_pattern(), "M*M-EM*E");
}

}  // namespace
}  // namespace hy
