// The forward pass against the float64 NumPy reference (tools/reference/) on the project's own test
// models: each fixture in tests/data/reference/ names a `make-test-model` preset and seed; the model is
// regenerated in memory, written as HF into a temporary directory, loaded and evaluated. rel. L2 ≤ 1e-5
// on the stored full rows and on the stored top-20 logits of every other position, for the trunk (one
// prefill and uneven chunks) and for the MTP draft logits (spec §5.1).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/thread_pool.h"
#include "model/forward.h"
#include "model/test_model.h"

namespace hy {
namespace {

namespace fs = std::filesystem;

std::vector<float> decode_f32(const nlohmann::json& blob) {
    const std::string s = blob.at("base64").get<std::string>();
    std::vector<uint8_t> bytes;
    uint32_t acc = 0;
    int bits = 0;
    for (char ch : s) {
        int v;
        if (ch >= 'A' && ch <= 'Z')
            v = ch - 'A';
        else if (ch >= 'a' && ch <= 'z')
            v = ch - 'a' + 26;
        else if (ch >= '0' && ch <= '9')
            v = ch - '0' + 52;
        else if (ch == '+')
            v = 62;
        else if (ch == '/')
            v = 63;
        else
            continue;  // '=' padding
        acc = (acc << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            bytes.push_back(static_cast<uint8_t>(acc >> bits));
        }
    }
    std::vector<float> out(bytes.size() / 4);
    std::memcpy(out.data(), bytes.data(), out.size() * 4);
    return out;
}

double rel_l2(const std::vector<double>& a, const std::vector<double>& b) {
    double num = 0, den = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        num += (a[i] - b[i]) * (a[i] - b[i]);
        den += b[i] * b[i];
    }
    return std::sqrt(num / den);
}

// Compares rows of logits (row t = position t) with a fixture's full rows and top-20 lists.
void check_rows(const std::vector<std::vector<float>>& got, const nlohmann::json& top,
                const std::vector<int64_t>& full_pos, const std::vector<float>& full, int64_t V,
                const std::string& what) {
    for (size_t t = 0; t < got.size(); ++t) {
        std::vector<double> a, b;
        auto fp = std::find(full_pos.begin(), full_pos.end(), static_cast<int64_t>(t));
        if (fp != full_pos.end()) {
            const float* row = full.data() + (fp - full_pos.begin()) * V;
            for (int64_t i = 0; i < V; ++i) a.push_back(got[t][i]), b.push_back(row[i]);
        } else {
            for (const auto& pair : top[t]) {
                a.push_back(got[t][pair[0].get<int64_t>()]);
                b.push_back(pair[1].get<double>());
            }
        }
        EXPECT_LE(rel_l2(a, b), 1e-5) << what << " position " << t;
    }
}

TEST(ForwardReference, Fixtures) {
    const fs::path dir = fs::path(HYSERVE_TEST_DATA_DIR) / "reference";
    if (!fs::exists(dir)) GTEST_SKIP() << "no fixtures";
    int n_fixtures = 0;
    ThreadPool pool(2);
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() != ".json") continue;
        const nlohmann::json fx = nlohmann::json::parse(std::ifstream(entry.path()));
        const auto& mdesc = fx.at("model");
        if (mdesc.at("format") != "hf") continue;
        ++n_fixtures;
        const int64_t V = fx.at("n_vocab").get<int64_t>();
        const ModelConfig cfg =
            test_model_config(mdesc.at("preset").get<std::string>(), mdesc.at("latent").get<bool>(), V);
        const fs::path tmp = fs::temp_directory_path() / ("hyserve-fwdref-" + std::to_string(::getpid()) +
                                                          "-" + entry.path().stem().string());
        write_test_model_hf(tmp.string(), cfg, generate_test_weights(cfg, mdesc.at("seed").get<uint64_t>()),
                            DType::F32, TestModelTokenizer{});
        const ModelWeights w = load_model(tmp.string());
        ASSERT_EQ(w.config.layer_pattern(), fx.at("layer_pattern").get<std::string>());
        Forward f(w, pool);
        for (const auto& sq : fx.at("sequences")) {
            const auto tokens = sq.at("tokens").get<std::vector<int32_t>>();
            const auto full_pos = sq.at("full_positions").get<std::vector<int64_t>>();
            const std::vector<float> full = decode_f32(sq.at("logits_full"));
            const int64_t T = static_cast<int64_t>(tokens.size());
            const std::string what = entry.path().stem().string() + " T=" + std::to_string(T);
            // Whole prompt, then three uneven chunks.
            for (const std::vector<int64_t>& sizes : {std::vector<int64_t>{T}, {1, T / 2, T - 1 - T / 2}}) {
                auto seq = f.new_sequence();
                std::vector<std::vector<float>> rows;
                std::vector<float> hidden;
                size_t at = 0;
                for (int64_t n : sizes) {
                    if (n == 0) continue;
                    SequenceInput in{seq.get(),
                                     std::span<const int32_t>(tokens.data() + at, static_cast<size_t>(n)),
                                     true};
                    const ForwardOutput& out = f.run(std::span<const SequenceInput>(&in, 1));
                    for (int64_t r = 0; r < out.n_rows; ++r)
                        rows.emplace_back(out.logits_row(r), out.logits_row(r) + V);
                    hidden.insert(hidden.end(), out.hidden.begin(),
                                  out.hidden.begin() + out.n_rows * out.hidden_size);
                    at += static_cast<size_t>(n);
                }
                check_rows(rows, sq.at("top"), full_pos, full, V,
                           what + " chunks " + std::to_string(sizes.size()));
                if (!sq.contains("mtp") || !w.has_mtp || sizes.size() != 1) continue;
                // MTP over (H_t, x_{t+1}) with the last slot filled by the trunk's argmax.
                const auto& mtp = sq.at("mtp");
                std::vector<int32_t> next(tokens.begin() + 1, tokens.end());
                next.push_back(mtp.at("next_token").get<int32_t>());
                auto ms = f.new_mtp_sequence();
                const ForwardOutput& mo = f.run_mtp(*ms, next, hidden.data());
                std::vector<std::vector<float>> drows;
                for (int64_t r = 0; r < mo.n_rows; ++r)
                    drows.emplace_back(mo.logits_row(r), mo.logits_row(r) + V);
                check_rows(drows, mtp.at("draft_top"), {T - 1}, decode_f32(mtp.at("draft_logits_last")), V,
                           what + " MTP");
            }
        }
        fs::remove_all(tmp);
    }
    EXPECT_GT(n_fixtures, 0);
}

}  // namespace
}  // namespace hy
