// The generated test models: presets hold every layer kind, weights are deterministic and follow the
// documented initialisation (model/test_model.h).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "core/error.h"
#include "model/tensor_names.h"
#include "model/test_model.h"

namespace hy {
namespace {

uint64_t fnv(const std::vector<GeneratedTensor>& w) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (const auto& t : w) {
        for (float f : t.values) {
            uint32_t bits;
            std::memcpy(&bits, &f, 4);
            for (int i = 0; i < 4; ++i) h = (h ^ ((bits >> (8 * i)) & 0xffu)) * 0x100000001b3ull;
        }
    }
    return h;
}

const std::vector<float>& find(const std::vector<GeneratedTensor>& w, const std::string& name) {
    for (const auto& t : w)
        if (t.logical == name) return t.values;
    throw Error("no tensor " + name);
}

TEST(TestModel, PresetsHaveEveryLayerKindAndMtp) {
    for (const char* preset : {"tiny", "small"}) {
        for (bool latent : {false, true}) {
            ModelConfig c = test_model_config(preset, latent, test_model_vocab_size(preset));
            const std::string p = c.layer_pattern();
            for (char k : std::string("M*-E")) EXPECT_NE(p.find(k), std::string::npos) << preset << " " << k;
            EXPECT_EQ(c.mtp_layer_pattern(), "*E");
            EXPECT_EQ(c.moe_latent_size > 0, latent);
            EXPECT_EQ(c.architecture, "nemotron_h_moe");
        }
    }
    EXPECT_EQ(test_model_config("small", false, 4096).num_layers(), 24);
    EXPECT_THROW(test_model_config("huge", false, 100), Error);
}

TEST(TestModel, WeightsAreDeterministicPerSeedAndName) {
    ModelConfig c = test_model_config("tiny", false, 512);
    auto a = generate_test_weights(c, 1), b = generate_test_weights(c, 1), d = generate_test_weights(c, 2);
    EXPECT_EQ(fnv(a), fnv(b));
    EXPECT_NE(fnv(a), fnv(d));
    // One stream per logical name: the latent variant shares every tensor the plain one has.
    auto l = generate_test_weights(test_model_config("tiny", true, 512), 1);
    EXPECT_EQ(find(a, "layers.0.mamba.in_proj"), find(l, "layers.0.mamba.in_proj"));
    // Pinned: a change here changes every generated model (and the fixtures made from them).
    EXPECT_EQ(find(a, "embeddings")[0], find(b, "embeddings")[0]);
    EXPECT_EQ(fnv(a), 0x9b95625c173178aaull) << std::hex << fnv(a);
}

TEST(TestModel, InitialisationFollowsTheDocumentedRules) {
    ModelConfig c = test_model_config("tiny", false, 512);
    auto w = generate_test_weights(c, 1);
    auto stats = [](const std::vector<float>& v) {
        double s = 0, s2 = 0;
        for (float x : v) s += x, s2 += double(x) * x;
        const double m = s / v.size();
        return std::pair{m, std::sqrt(s2 / v.size() - m * m)};
    };
    auto [m_in, s_in] = stats(find(w, "layers.0.mamba.in_proj"));  // fan_in 64: std 1/8
    EXPECT_NEAR(m_in, 0.0, 0.01);
    EXPECT_NEAR(s_in, 0.125, 0.01);
    auto [m_norm, s_norm] = stats(find(w, "layers.1.norm"));
    EXPECT_NEAR(m_norm, 1.0, 0.05);
    EXPECT_NEAR(s_norm, 0.1, 0.05);
    for (float a_log : find(w, "layers.0.mamba.A")) {
        EXPECT_GE(a_log, 0.0f);
        EXPECT_LE(a_log, std::log(16.0f));
    }
    for (float b : find(w, "layers.0.mamba.dt_bias")) {
        const double dt = std::log1p(std::exp(double(b)));  // softplus
        EXPECT_GE(dt, 0.00099);
        EXPECT_LE(dt, 0.10001);
    }
    for (const auto& t : w)
        for (float x : t.values) ASSERT_TRUE(std::isfinite(x)) << t.logical;
}

}  // namespace
}  // namespace hy
