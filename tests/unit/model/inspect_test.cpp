// `hyserve make-test-model` and `hyserve inspect`, run as the built binary.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "model_files_fixture.h"

namespace hy {
namespace {

using nlohmann::json;
using testing_util::TempDir;
namespace fs = std::filesystem;

struct RunResult {
    int status = -1;
    std::string out;  // stdout and stderr
};

RunResult run(const std::string& args) {
    RunResult r;
    const std::string cmd = std::string(HYSERVE_BINARY) + " " + args + " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return r;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) r.out.append(buf, n);
    r.status = ::pclose(p);
    return r;
}

json inspect_json(const std::string& path) {
    RunResult r = run("inspect --json '" + path + "'");
    EXPECT_EQ(r.status, 0) << r.out;
    return json::parse(r.out, nullptr, false);
}

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

class MadeModel : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = new TempDir("made");
        RunResult r = run("make-test-model '" + dir_->str() + "' --preset tiny --format both --seed 1");
        ASSERT_EQ(r.status, 0) << r.out;
    }
    static void TearDownTestSuite() { delete dir_; }
    static TempDir* dir_;
};
TempDir* MadeModel::dir_ = nullptr;

TEST_F(MadeModel, TinyHasEveryFileAndIsSmall) {
    // No wall-clock bound: a shared CI machine makes one flaky (the guide keeps speed in benchmarks).
    for (const char* f : {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                          "generation_config.json", "model.gguf"})
        EXPECT_TRUE(fs::exists(dir_->path / f)) << f;
    EXPECT_LT(fs::file_size(dir_->path / "model.safetensors"), 8u << 20);
}

TEST_F(MadeModel, InspectReportsTheSameForHfAndGguf) {
    json h = inspect_json(dir_->str()), g = inspect_json(dir_->str("model.gguf"));
    ASSERT_FALSE(h.is_discarded());
    ASSERT_FALSE(g.is_discarded());
    EXPECT_EQ(h["format"], "hf");
    EXPECT_EQ(g["format"], "gguf");
    EXPECT_EQ(h["config"], g["config"]);
    EXPECT_EQ(h["config"]["layer_pattern"], "M*M-EM*E");
    EXPECT_EQ(h["config"]["mtp_layer_pattern"], "*E");
    EXPECT_EQ(h["total_params"], g["total_params"]);
    EXPECT_EQ(h["active_params"], g["active_params"]);
    EXPECT_EQ(h["tensor_bytes"], g["tensor_bytes"]);
    ASSERT_EQ(h["tensors"].size(), g["tensors"].size());
    for (size_t i = 0; i < h["tensors"].size(); ++i) {
        EXPECT_EQ(h["tensors"][i]["name"], g["tensors"][i]["name"]);
        EXPECT_EQ(h["tensors"][i]["shape"], g["tensors"][i]["shape"]);
    }
    // Active = total - MTP block - (E - k) routed experts in each of the 2 trunk MoE layers.
    const int64_t expert = 2 * 32 * 64;
    EXPECT_EQ(h["active_params"].get<int64_t>(),
              h["total_params"].get<int64_t>() - h["mtp_params"].get<int64_t>() - 2 * (8 - 2) * expert);
}

TEST_F(MadeModel, TokenizerFilesCarryTheChatTemplateAndSpecialTokens) {
    json cfg = json::parse(slurp(dir_->str("tokenizer_config.json")));
    const std::string tmpl = cfg["chat_template"];
    EXPECT_NE(tmpl.find("<|im_start|>"), std::string::npos);
    EXPECT_EQ(cfg["eos_token"], "<|im_end|>");
    json tok = json::parse(slurp(dir_->str("tokenizer.json")));
    std::map<std::string, int> ids;
    for (const auto& a : tok["added_tokens"]) {
        EXPECT_TRUE(a["special"].get<bool>());
        ids[a["content"]] = a["id"];
    }
    EXPECT_EQ(ids["<unk>"], 0);
    EXPECT_EQ(ids["<s>"], 1);
    EXPECT_EQ(ids["</s>"], 2);
    EXPECT_EQ(ids["<|im_start|>"], 10);
    EXPECT_EQ(ids["<|im_end|>"], 11);
    EXPECT_EQ(ids["<think>"], 12);
    EXPECT_EQ(ids["</think>"], 13);
    for (const char* t : {"<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>"})
        EXPECT_TRUE(ids.count(t)) << t;
    json gen = json::parse(slurp(dir_->str("generation_config.json")));
    EXPECT_EQ(gen["eos_token_id"], json::array({2, 11}));
}

TEST_F(MadeModel, SameSeedSameBytes) {
    TempDir again("again");
    RunResult r = run("make-test-model '" + again.str() + "' --preset tiny --format both --seed 1");
    ASSERT_EQ(r.status, 0) << r.out;
    for (const char* f : {"model.safetensors", "model.gguf", "tokenizer.json", "config.json"})
        EXPECT_TRUE(slurp(again.str(f)) == slurp(dir_->str(f))) << f;
}

TEST(Inspect, LatentAndBf16Variants) {
    TempDir dir("variants");
    RunResult r = run("make-test-model '" + dir.str() + "' --latent --dtype bf16 --format both --seed 3");
    ASSERT_EQ(r.status, 0) << r.out;
    json h = inspect_json(dir.str()), g = inspect_json(dir.str("model.gguf"));
    EXPECT_EQ(h["config"], g["config"]);
    EXPECT_EQ(h["config"]["moe_latent_size"], 32);
    EXPECT_EQ(h["config"]["torch_dtype"], "bfloat16");
    bool saw_latent = false;
    for (const auto& t : g["tensors"]) {
        if (t["name"] == "layers.4.moe.latent_down") saw_latent = true;
        if (t["name"] == "layers.0.mamba.in_proj") {
            EXPECT_EQ(t["dtype"], "BF16");
        }
        if (t["name"] == "layers.0.norm") {
            EXPECT_EQ(t["dtype"], "F32");
        }
    }
    EXPECT_TRUE(saw_latent);
}

TEST(Inspect, ErrorsNameThePathAndTextModeWorks) {
    RunResult r = run("inspect /nonexistent/model.gguf");
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.out.find("/nonexistent/model.gguf"), std::string::npos) << r.out;
    TempDir dir("text");
    ASSERT_EQ(run("make-test-model '" + dir.str() + "' --format gguf").status, 0);
    r = run("inspect '" + dir.str("model.gguf") + "'");
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("layers.1.attn.q_proj"), std::string::npos);
    EXPECT_NE(r.out.find("active parameters per token"), std::string::npos);
    EXPECT_NE(run("make-test-model '" + dir.str() + "' --format hf --dtype q8_0").status, 0);
}

TEST(Inspect, NoMtpLeavesTheBlockOut) {
    TempDir dir("nomtp");
    ASSERT_EQ(run("make-test-model '" + dir.str() + "' --format gguf --no-mtp").status, 0);
    json g = inspect_json(dir.str("model.gguf"));
    EXPECT_EQ(g["config"]["num_nextn_predict_layers"], 0);
    EXPECT_EQ(g["mtp_params"], 0);
    for (const auto& t : g["tensors"])
        EXPECT_EQ(t["stored_name"].get<std::string>().rfind("blk.8.", 0), std::string::npos);
}

// The llama.cpp-written reference models: inspect must report the hyperparameters their generator
// recorded (tests/data/models/NAME.json, copied from the shared model directory) and every tensor with
// its shape. The .gguf files are too big to copy into the repository; the test runs where they are.
TEST(Inspect, ReferenceGgufModelsMatchTheirGeneratorRecords) {
    // ../shared/models beside the checkout (where CI and developer machines have it), or an override.
    const char* env = std::getenv("HYSERVE_SHARED_MODELS");
    const fs::path shared =
        env ? fs::path(env) : fs::path(HYSERVE_SOURCE_DIR).parent_path() / "shared" / "models";
    if (!fs::exists(shared)) GTEST_SKIP() << shared << " not present";
    int checked = 0;
    for (const auto& e : fs::directory_iterator(fs::path(HYSERVE_TEST_DATA_DIR) / "models")) {
        if (e.path().extension() != ".json") continue;
        json ref = json::parse(slurp(e.path().string()));
        const fs::path gguf = shared / ref["file"].get<std::string>();
        if (!fs::exists(gguf)) continue;
        SCOPED_TRACE(gguf.string());
        json out = inspect_json(gguf.string());
        ASSERT_FALSE(out.is_discarded());
        const json& r = ref["config"];
        const json& c = out["config"];
        EXPECT_EQ(c["architecture"], r["arch"]);
        EXPECT_EQ(c["layer_pattern"], r["pattern"]);
        EXPECT_EQ(c["num_hidden_layers"], ref["n_layer"]);
        EXPECT_EQ(c["vocab_size"], ref["n_vocab"]);
        EXPECT_EQ(c["hidden_size"], r["n_embd"]);
        EXPECT_EQ(c["max_position_embeddings"], r["n_ctx"]);
        EXPECT_EQ(c["num_attention_heads"], r["n_head"]);
        EXPECT_EQ(c["num_key_value_heads"], r["n_head_kv"]);
        EXPECT_EQ(c["head_dim"], r["head_dim"]);
        EXPECT_EQ(c["mamba_num_heads"], r["ssm_n_head"]);
        EXPECT_EQ(c["mamba_head_dim"], r["ssm_head_dim"]);
        EXPECT_EQ(c["n_groups"], r["ssm_n_group"]);
        EXPECT_EQ(c["ssm_state_size"], r["ssm_d_state"]);
        EXPECT_EQ(c["conv_kernel"], r["ssm_d_conv"]);
        EXPECT_EQ(c["derived"]["mamba_inner"], ref["derived"]["ssm_d_inner"]);
        EXPECT_EQ(c["derived"]["conv_channels"], ref["derived"]["ssm_conv_dim"]);
        EXPECT_EQ(c["derived"]["in_proj_rows"], ref["derived"]["ssm_d_in_proj"]);
        EXPECT_EQ(c["tie_word_embeddings"], r["tie_embeddings"]);
        EXPECT_FLOAT_EQ(c["layer_norm_epsilon"].get<float>(), r["rms_eps"].get<float>());
        if (r["arch"] == "nemotron_h_moe") {
            EXPECT_EQ(c["n_routed_experts"], r["n_expert"]);
            EXPECT_EQ(c["num_experts_per_tok"], r["n_expert_used"]);
            EXPECT_EQ(c["moe_intermediate_size"], r["n_ff_exp"]);
            EXPECT_EQ(c["moe_shared_expert_intermediate_size"], r["n_ff_shexp"]);
            EXPECT_EQ(c["n_shared_experts"], r["n_expert_shared"]);
            EXPECT_EQ(c["norm_topk_prob"], r["expert_weights_norm"]);
            EXPECT_FLOAT_EQ(c["routed_scaling_factor"].get<float>(), r["expert_weights_scale"].get<float>());
            EXPECT_EQ(c["moe_latent_size"], r.value("moe_latent_size", 0));
        } else {
            EXPECT_EQ(c["intermediate_size"], r["n_ff"]);
        }
        EXPECT_EQ(out["total_params"], ref["n_params"]);
        EXPECT_EQ(out["tensor_bytes"], ref["tensor_bytes"]);
        EXPECT_TRUE(out["unused_tensors"].empty());
        // Every stored tensor, with its shape (GGUF ne order is the reverse of PyTorch's) and dtype.
        std::map<std::string, json> stored;
        for (const auto& t : out["tensors"]) stored[t["stored_name"]] = t;
        for (const auto& t : ref["tensors"]) {
            const std::string name = t["name"];
            ASSERT_TRUE(stored.count(name)) << name;
            std::vector<int64_t> shape = t["ggml_shape"];
            std::reverse(shape.begin(), shape.end());
            EXPECT_EQ(stored[name]["stored_shape"].get<std::vector<int64_t>>(), shape) << name;
            EXPECT_EQ(stored[name]["dtype"], t["dtype"]) << name;
        }
        EXPECT_EQ(stored.size(), ref["tensors"].size());
        ++checked;
    }
    EXPECT_EQ(checked, 4);
}

}  // namespace
}  // namespace hy
