// ModelConfig from HF config.json: field aliases, defaults and the validation errors (spec/model.md §1).
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "model/config_io.h"

namespace hy {
namespace {

using nlohmann::json;

// The shape of a Nemotron 3 Nano 30B-A3B config (values from spec/model.md §4.1), as the Hub writes it:
// with a bare Infinity, which is not JSON.
const char* kNanoLike = R"({
  "architectures": ["NemotronHForCausalLM"], "model_type": "nemotron_h",
  "hybrid_override_pattern": "MEMEM*EMEMEM*EMEMEM*EMEMEM*EMEMEM*EMEMEMEM*EMEMEMEME",
  "num_hidden_layers": 52, "hidden_size": 2688, "vocab_size": 131072,
  "num_attention_heads": 32, "num_key_value_heads": 2, "head_dim": 128,
  "mamba_num_heads": 64, "mamba_head_dim": 64, "ssm_state_size": 128, "n_groups": 8, "conv_kernel": 4,
  "chunk_size": 128, "time_step_limit": [0.0, Infinity], "expand": 2,
  "intermediate_size": 1856, "n_routed_experts": 128, "num_experts_per_tok": 6,
  "moe_intermediate_size": 1856, "moe_shared_expert_intermediate_size": 3712, "n_shared_experts": 1,
  "n_group": 1, "topk_group": 1, "norm_topk_prob": true, "routed_scaling_factor": 2.5,
  "moe_latent_size": null, "num_nextn_predict_layers": 0, "layer_norm_epsilon": 1e-05,
  "tie_word_embeddings": false, "bos_token_id": 1, "eos_token_id": [2, 11], "pad_token_id": 0,
  "max_position_embeddings": 262144, "torch_dtype": "bfloat16", "rope_theta": 10000
})";

json tiny() {
    return json::parse(R"({
      "hybrid_override_pattern": "M*-E", "hidden_size": 64, "vocab_size": 100,
      "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16,
      "mamba_num_heads": 8, "mamba_head_dim": 16, "ssm_state_size": 16, "n_groups": 2,
      "intermediate_size": 128, "n_routed_experts": 8, "num_experts_per_tok": 2,
      "moe_intermediate_size": 32, "moe_shared_expert_intermediate_size": 64, "eos_token_id": 2
    })");
}

// Expects config_from_hf_json to throw an Error whose message contains `needle`.
void expect_error(const json& j, const std::string& needle) {
    try {
        config_from_hf_json(j, "/m/config.json");
        FAIL() << "no error; expected one mentioning " << needle;
    } catch (const Error& e) {
        std::string msg = e.what();
        EXPECT_NE(msg.find(needle), std::string::npos) << msg;
        EXPECT_NE(msg.find("/m/config.json"), std::string::npos) << msg;
    }
}

TEST(ModelConfig, ParsesNanoLikeConfigWithInfinity) {
    ModelConfig c = config_from_hf_text(kNanoLike, "nano/config.json");
    EXPECT_EQ(c.architecture, "nemotron_h_moe");
    EXPECT_EQ(c.num_layers(), 52);
    EXPECT_EQ(c.layer_pattern(), "MEMEM*EMEMEM*EMEMEM*EMEMEM*EMEMEM*EMEMEMEM*EMEMEMEME");
    EXPECT_EQ(c.hidden_size, 2688);
    EXPECT_EQ(c.num_key_value_heads, 2);
    EXPECT_EQ(c.head_dim, 128);
    EXPECT_EQ(c.mamba_inner(), 4096);
    EXPECT_EQ(c.conv_channels(), 4096 + 2 * 8 * 128);
    EXPECT_EQ(c.mamba_group_size(), 512);  // spec §2.2.7: Nano 30B group width 512
    EXPECT_EQ(c.in_proj_rows(), 2 * 4096 + 2 * 8 * 128 + 64);
    EXPECT_EQ(c.time_step_limit_min, 0.0f);
    EXPECT_TRUE(std::isinf(c.time_step_limit_max));
    EXPECT_EQ(c.n_routed_experts, 128);
    EXPECT_EQ(c.num_experts_per_tok, 6);
    EXPECT_EQ(c.moe_latent_size, 0);
    EXPECT_EQ(c.moe_routed_width(), 2688);
    EXPECT_FLOAT_EQ(c.routed_scaling_factor, 2.5f);
    EXPECT_EQ(c.eos_token_ids, (std::vector<int64_t>{2, 11}));
    EXPECT_EQ(c.max_position_embeddings, 262144);
    EXPECT_EQ(c.torch_dtype, "bfloat16");
    EXPECT_FALSE(c.has_mtp());
}

TEST(ModelConfig, InfinityInsideStringsIsLeftAlone) {
    std::string text = kNanoLike;
    text.replace(text.find("\"bfloat16\""), 10, "\"Infinity NaN\"");
    ModelConfig c = config_from_hf_text(text, "x");
    EXPECT_EQ(c.torch_dtype, "Infinity NaN");
}

TEST(ModelConfig, LayersBlockTypeAliases) {
    json j = tiny();
    j.erase("hybrid_override_pattern");
    j["layers_block_type"] = {"mamba", "linear_attention", "attention", "full_attention", "mlp", "moe"};
    ModelConfig c = config_from_hf_json(j, "x");
    EXPECT_EQ(c.layer_pattern(), "MM**-E");
}

TEST(ModelConfig, DefaultsAndAliases) {
    json j = tiny();
    j.erase("num_key_value_heads");  // GQA default: = heads
    j.erase("head_dim");
    j["attention_head_dim"] = 24;
    j["rms_norm_eps"] = 1e-6;
    j["eos_token_id"] = 7;
    j["moe_latent_size"] = 16;
    ModelConfig c = config_from_hf_json(j, "x");
    EXPECT_EQ(c.num_key_value_heads, 4);
    EXPECT_EQ(c.head_dim, 24);
    EXPECT_FLOAT_EQ(c.norm_eps, 1e-6f);
    EXPECT_EQ(c.eos_token_ids, std::vector<int64_t>{7});
    EXPECT_EQ(c.moe_routed_width(), 16);
    EXPECT_EQ(c.n_group, 1);
    EXPECT_TRUE(c.norm_topk_prob);

    j.erase("attention_head_dim");
    EXPECT_EQ(config_from_hf_json(j, "x").head_dim, 16);  // hidden_size / heads
}

TEST(ModelConfig, MtpDefaultPatternAndExplicitOnes) {
    json j = tiny();
    j["num_nextn_predict_layers"] = 1;
    EXPECT_EQ(config_from_hf_json(j, "x").mtp_layer_pattern(), "*E");  // HF default [full_attention, moe]
    j["mtp_layers_block_type"] = {"attention", "mlp"};
    EXPECT_EQ(config_from_hf_json(j, "x").mtp_layer_pattern(), "*-");
    j["mtp_hybrid_override_pattern"] = "ME";
    EXPECT_EQ(config_from_hf_json(j, "x").mtp_layer_pattern(), "ME");
    j["num_nextn_predict_layers"] = 0;
    EXPECT_FALSE(config_from_hf_json(j, "x").has_mtp());
}

TEST(ModelConfig, TimeStepLimitFiniteAndStrings) {
    json j = tiny();
    j["time_step_limit"] = {0.001, 0.1};
    ModelConfig c = config_from_hf_json(j, "x");
    EXPECT_FLOAT_EQ(c.time_step_limit_max, 0.1f);
    j["time_step_limit"] = {0.0, "Infinity"};
    EXPECT_TRUE(std::isinf(config_from_hf_json(j, "x").time_step_limit_max));
    j["time_step_limit"] = {0.0};
    expect_error(j, "time_step_limit");
}

TEST(ModelConfig, InconsistentConfigsNameTheField) {
    json j = tiny();
    j["num_hidden_layers"] = 5;
    expect_error(j, "num_hidden_layers");

    j = tiny();
    j["hybrid_override_pattern"] = "M*X";
    expect_error(j, "hybrid_override_pattern");

    j = tiny();
    j.erase("hybrid_override_pattern");
    expect_error(j, "hybrid_override_pattern");

    j = tiny();
    j["layers_block_type"] = {"mamba", "conv"};
    j.erase("hybrid_override_pattern");
    expect_error(j, "layers_block_type");

    j = tiny();
    j.erase("hidden_size");
    expect_error(j, "hidden_size");

    j = tiny();
    j["num_key_value_heads"] = 3;
    expect_error(j, "num_attention_heads");

    j = tiny();
    j["n_groups"] = 3;
    expect_error(j, "mamba_num_heads");

    j = tiny();
    j.erase("mamba_head_dim");
    expect_error(j, "mamba_head_dim");

    j = tiny();
    j["num_experts_per_tok"] = 9;
    expect_error(j, "num_experts_per_tok");

    j = tiny();
    j["hidden_size"] = "64";
    expect_error(j, "hidden_size");

    j = tiny();
    j["hidden_size"] = int64_t{1} << 40;
    expect_error(j, "hidden_size");

    j = tiny();
    j["eos_token_id"] = 100;  // >= vocab_size
    expect_error(j, "eos_token_id");

    j = tiny();
    j["norm_topk_prob"] = 1;
    expect_error(j, "norm_topk_prob");
}

TEST(ModelConfig, InvalidJsonNamesTheFile) {
    EXPECT_THROW(config_from_hf_text("{\"hidden_size\": ", "bad/config.json"), Error);
    EXPECT_THROW(config_from_hf_text("[1, 2]", "bad/config.json"), Error);
    EXPECT_THROW(load_hf_config("/nonexistent/config.json"), Error);
}

TEST(ModelConfig, HfJsonRoundTrip) {
    json j = tiny();
    j["num_nextn_predict_layers"] = 1;
    j["moe_latent_size"] = 16;
    j["eos_token_id"] = {2, 3};
    j["time_step_limit"] = {0.0, 0.5};
    ModelConfig a = config_from_hf_json(j, "x");
    ModelConfig b = config_from_hf_text(config_to_hf_json(a).dump(), "y");
    EXPECT_EQ(config_to_json(a), config_to_json(b));
    // The default (0, inf) limit is left out of config.json, and comes back as the default.
    a.time_step_limit_max = std::numeric_limits<float>::infinity();
    EXPECT_FALSE(config_to_hf_json(a).contains("time_step_limit"));
    EXPECT_EQ(config_to_json(a)["time_step_limit"][1], "Infinity");
}

}  // namespace
}  // namespace hy
