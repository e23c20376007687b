// The forward pass against llama.cpp's logits for the four reference GGUF models (tests/data/
// llamacpp/: prompts and last-position logits copied from /work/shared/models). The 15 MB GGUF files
// are not in the repository: the test runs when HYSERVE_REFERENCE_MODELS (default
// ../shared/models beside the checkout) holds them and is skipped otherwise; forward_random_test.cpp always
// runs.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/thread_pool.h"
#include "kernels/bf16_matmul.h"
#include "model/forward.h"

namespace hy {
namespace {

std::string models_dir() {
    // ../shared/models beside the checkout (where CI and developer machines have it), or an override.
    const char* e = std::getenv("HYSERVE_REFERENCE_MODELS");
    return e ? std::string(e)
             : (std::filesystem::path(HYSERVE_SOURCE_DIR).parent_path() / "shared" / "models").string();
}

std::vector<float> read_f32(const std::string& path) {
    std::ifstream f(path, std::ios::binary | std::ios::ate);
    EXPECT_TRUE(f.good()) << path;
    std::vector<float> v(static_cast<size_t>(f.tellg()) / 4);
    f.seekg(0);
    f.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * 4));
    return v;
}

struct Case {
    const char* name;
    double tol;  // relative L2 of the whole logit vector
    // The limit while BF16 runs bf16-rounded activations (kernels/bf16_matmul.h, AVX-512 BF16 CPUs):
    // then hyserve computes what llama.cpp computes, up to fp32 summation order (0: tol).
    double bf16_route_tol = 0;
};

class LlamaCpp : public ::testing::TestWithParam<Case> {};

TEST_P(LlamaCpp, LastPositionLogits) {
    const Case c = GetParam();
    const bool route = kernels::bf16_dot_supported() && kernels::bf16_activations_rounded();
    const double tol = route && c.bf16_route_tol > 0 ? c.bf16_route_tol : c.tol;
    const std::string gguf = models_dir() + "/" + c.name + ".gguf";
    if (!std::filesystem::exists(gguf)) GTEST_SKIP() << gguf << " not present";
    const std::string data = std::string(HYSERVE_TEST_DATA_DIR) + "/llamacpp/" + c.name;
    const nlohmann::json ref = nlohmann::json::parse(std::ifstream(data + ".ref-logits.json"));
    const ModelWeights w = load_model(gguf);
    ThreadPool pool(2);
    for (int p : {0, 2}) {
        const std::vector<float> expect = read_f32(data + ".p" + std::to_string(p) + ".logits.f32");
        const std::vector<int32_t> ids = ref["prompts"][p]["token_ids"].get<std::vector<int32_t>>();
        for (SsmMode mode : {SsmMode::SERIAL, SsmMode::CHUNKED}) {
            ForwardOptions fo;
            fo.ssm_mode = mode;
            Forward fwd(w, pool, fo);
            auto seq = fwd.new_sequence();
            SequenceInput in{seq.get(), ids, false};
            const ForwardOutput& out = fwd.run(std::span<const SequenceInput>(&in, 1));
            ASSERT_EQ(out.n_vocab, static_cast<int64_t>(expect.size()));
            const float* got = out.logits_row(0);
            double num = 0, den = 0;
            int64_t a_got = 0, a_exp = 0;
            for (int64_t i = 0; i < out.n_vocab; ++i) {
                num += (static_cast<double>(got[i]) - expect[i]) * (static_cast<double>(got[i]) - expect[i]);
                den += static_cast<double>(expect[i]) * expect[i];
                if (got[i] > got[a_got]) a_got = i;
                if (expect[i] > expect[a_exp]) a_exp = i;
            }
            const double rel = std::sqrt(num / den);
            EXPECT_EQ(a_got, a_exp) << c.name << " prompt " << p;
            EXPECT_LE(rel, tol) << c.name << " prompt " << p << " ssm mode " << static_cast<int>(mode);
            std::printf("%s p%d mode %d: rel L2 %.3g\n", c.name, p, static_cast<int>(mode), rel);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Models, LlamaCpp,
                         ::testing::Values(Case{"nemotron-h-dense-tiny-f32", 1e-4},
                                           Case{"nemotron-h-moe-tiny-f32", 1e-4},
                                           Case{"nemotron-h-moe-tiny-latent-f32", 1e-4},
                                           Case{"nemotron-h-moe-tiny-bf16", 2e-2, 1e-5}),
                         [](const auto& info) {
                             std::string n = info.param.name;
                             for (char& ch : n)
                                 if (ch == '-') ch = '_';
                             return n;
                         });

}  // namespace
}  // namespace hy
