// ModelConfig <-> GGUF metadata, with llama.cpp's key names for nemotron_h / nemotron_h_moe
// (spec/model.md §3, bottom). llama.cpp tells layer kinds apart by per-layer arrays:
// head_count_kv[i] == 0 && feed_forward_length[i] == 0 -> Mamba (recurrent); feed_forward_length[i] == 0
// -> attention; otherwise an FFN layer, which is MoE when the block has a router tensor.
// An MTP block is appended as block L (block_count = L + nextn_predict_layers), as llama.cpp does for
// other models with next-token-prediction layers.
#include <algorithm>

#include "core/error.h"
#include "model/config_io.h"
#include "model/gguf.h"
#include "model/gguf_writer.h"

namespace hy {

namespace {

constexpr int64_t kMaxBlocks = 4096 + 16;

struct Reader {
    const GgufFile& g;
    std::string prefix;  // "<arch>."

    const GgufValue* find(const std::string& k) const { return g.find(prefix + k); }
    int64_t i(const std::string& k, int64_t def) const {
        const GgufValue* v = find(k);
        return v ? v->as_int() : def;
    }
    int64_t required(const std::string& k) const {
        const GgufValue* v = find(k);
        if (!v) throw file_error(g.path, "missing required key " + prefix + k);
        return v->as_int();
    }
    // A per-layer key: an array of n values, or one scalar for every layer.
    std::vector<int64_t> per_layer(const std::string& k, size_t n) const {
        const GgufValue* v = find(k);
        if (!v) return std::vector<int64_t>(n, 0);
        if (!v->is_array()) return std::vector<int64_t>(n, v->as_int());
        std::vector<int64_t> a = v->as_int_array();
        if (a.size() != n)
            throw file_error(g.path, "key " + prefix + k + " has " + std::to_string(a.size()) +
                                         " entries, expected " + std::to_string(n) + " (block_count)");
        return a;
    }
    bool has_tensor(int64_t block, const char* name) const {
        return g.find_tensor("blk." + std::to_string(block) + "." + name) != nullptr;
    }
};

const char* dtype_from_file_type(int64_t ft) {
    switch (ft) {
        case 0:
            return "float32";
        case 1:
            return "float16";
        case 2:
            return "q4_0";
        case 7:
            return "q8_0";
        case 15:
            return "q4_k_m";
        case 18:
            return "q6_k";
        case 32:
            return "bfloat16";
        default:
            return "";
    }
}

}  // namespace

ModelConfig config_from_gguf(const GgufFile& g) {
    const std::string& path = g.path;
    const GgufValue* arch_v = g.find("general.architecture");
    if (!arch_v) throw file_error(path, "missing required key general.architecture");
    const std::string& arch = arch_v->as_string();
    if (arch != "nemotron_h" && arch != "nemotron_h_moe")
        throw file_error(path, "key general.architecture = \"" + arch.substr(0, 64) +
                                   "\" is not a Nemotron-H architecture (nemotron_h, nemotron_h_moe)");
    Reader r{g, arch + "."};
    ModelConfig c;
    c.architecture = arch;

    const int64_t blocks = r.required("block_count");
    c.num_nextn_predict_layers = r.i("nextn_predict_layers", 0);
    if (blocks < 1 || blocks > kMaxBlocks)
        throw file_error(path, "key " + r.prefix + "block_count is out of range");
    if (c.num_nextn_predict_layers < 0 || c.num_nextn_predict_layers >= blocks)
        throw file_error(path, "key " + r.prefix + "nextn_predict_layers is out of range");
    const int64_t L = blocks - c.num_nextn_predict_layers;
    const auto n = static_cast<size_t>(blocks);
    const std::vector<int64_t> hq = r.per_layer("attention.head_count", n);
    const std::vector<int64_t> hkv = r.per_layer("attention.head_count_kv", n);
    const std::vector<int64_t> ff = r.per_layer("feed_forward_length", n);

    for (int64_t b = 0; b < L; ++b) {
        const auto i = static_cast<size_t>(b);
        LayerKind k;
        if (hkv[i] == 0 && ff[i] == 0) {
            k = LayerKind::MAMBA;
        } else if (ff[i] == 0) {
            k = LayerKind::ATTENTION;
            c.num_attention_heads = std::max(c.num_attention_heads, hq[i]);
            c.num_key_value_heads = std::max(c.num_key_value_heads, hkv[i]);
        } else if (r.has_tensor(b, "ffn_gate_inp.weight")) {
            k = LayerKind::MOE;
        } else {
            k = LayerKind::MLP;
            c.intermediate_size = std::max(c.intermediate_size, ff[i]);
        }
        c.layers.push_back(k);
    }
    if (c.num_nextn_predict_layers > 0) {
        // The flattened MTP block: one mixer (attention or Mamba) then one FFN (MoE or MLP).
        if (r.has_tensor(L, "attn_q.weight")) c.mtp_layers.push_back(LayerKind::ATTENTION);
        if (r.has_tensor(L, "ssm_in.weight")) c.mtp_layers.push_back(LayerKind::MAMBA);
        if (r.has_tensor(L, "ffn_gate_inp.weight")) {
            c.mtp_layers.push_back(LayerKind::MOE);
        } else if (r.has_tensor(L, "ffn_up.weight")) {
            c.mtp_layers.push_back(LayerKind::MLP);
        }
        for (LayerKind k : c.mtp_layers) {
            if (k == LayerKind::ATTENTION) {
                c.num_attention_heads = std::max(c.num_attention_heads, hq[static_cast<size_t>(L)]);
                c.num_key_value_heads = std::max(c.num_key_value_heads, hkv[static_cast<size_t>(L)]);
            }
        }
    }

    c.hidden_size = r.required("embedding_length");
    c.max_position_embeddings = r.i("context_length", 0);
    c.head_dim =
        r.i("attention.key_length", c.num_attention_heads > 0 ? c.hidden_size / c.num_attention_heads : 0);

    c.conv_kernel = r.i("ssm.conv_kernel", c.conv_kernel);
    c.ssm_state_size = r.i("ssm.state_size", 0);
    c.n_groups = r.i("ssm.group_count", 0);
    c.mamba_num_heads = r.i("ssm.time_step_rank", 0);  // llama.cpp stores Hm under this Mamba1 name
    const int64_t inner = r.i("ssm.inner_size", 0);
    if (c.mamba_num_heads > 0) {
        if (inner <= 0 || inner % c.mamba_num_heads != 0)
            throw file_error(path, "key " + r.prefix + "ssm.inner_size = " + std::to_string(inner) +
                                       " is not a positive multiple of ssm.time_step_rank");
        c.mamba_head_dim = inner / c.mamba_num_heads;
    }

    c.n_routed_experts = r.i("expert_count", 0);
    c.num_experts_per_tok = r.i("expert_used_count", 0);
    c.moe_intermediate_size = r.i("expert_feed_forward_length", 0);
    c.moe_shared_expert_intermediate_size = r.i("expert_shared_feed_forward_length", 0);
    c.n_shared_experts = r.i("expert_shared_count", c.n_shared_experts);
    if (const GgufValue* v = r.find("expert_weights_norm")) c.norm_topk_prob = v->as_bool();
    if (const GgufValue* v = r.find("expert_weights_scale"))
        c.routed_scaling_factor = static_cast<float>(v->as_float());
    c.n_group = r.i("expert_group_count", c.n_group);
    c.topk_group = r.i("expert_group_used_count", c.topk_group);
    c.moe_latent_size = r.i("moe_latent_size", 0);

    if (const GgufValue* v = r.find("attention.layer_norm_rms_epsilon")) {
        c.norm_eps = static_cast<float>(v->as_float());
    } else if (const GgufValue* e = r.find("attention.layer_norm_epsilon")) {
        c.norm_eps = static_cast<float>(e->as_float());
    }

    if (const GgufValue* v = r.find("vocab_size")) {
        c.vocab_size = v->as_int();
    } else if (const GgufValue* t = g.find("tokenizer.ggml.tokens"); t && t->is_array()) {
        c.vocab_size = static_cast<int64_t>(t->size());
    } else if (const TensorView* e = g.find_tensor("token_embd.weight"); e && e->shape.size() == 2) {
        c.vocab_size = e->shape[0];
    }
    if (const GgufValue* v = g.find("tokenizer.ggml.bos_token_id")) c.bos_token_id = v->as_int();
    if (const GgufValue* v = g.find("tokenizer.ggml.eos_token_id")) c.eos_token_ids = {v->as_int()};
    // HF configs may list several eos ids (e.g. [</s>, <|im_end|>]); GGUF has eos + eot (end of turn).
    if (const GgufValue* v = g.find("tokenizer.ggml.eot_token_id");
        v && (c.eos_token_ids.empty() || v->as_int() != c.eos_token_ids[0]))
        c.eos_token_ids.push_back(v->as_int());
    if (const GgufValue* v = g.find("tokenizer.ggml.padding_token_id")) c.pad_token_id = v->as_int();
    c.tie_word_embeddings = g.find_tensor("output.weight") == nullptr;
    if (const GgufValue* v = g.find("general.file_type")) c.torch_dtype = dtype_from_file_type(v->as_int());

    validate_config(c, path);
    return c;
}

void config_to_gguf(const ModelConfig& c, GgufWriter& w) {
    const std::string p = c.architecture + ".";
    const int64_t L = c.num_layers(), blocks = L + (c.has_mtp() ? 1 : 0);
    auto u32 = [](int64_t v) { return GgufValue::u32(static_cast<uint32_t>(v)); };
    w.add("general.architecture", GgufValue::string(c.architecture));
    w.add(p + "block_count", u32(blocks));
    w.add(p + "context_length", u32(c.max_position_embeddings));
    w.add(p + "embedding_length", u32(c.hidden_size));

    // Per-layer arrays: FFN width (0 for mixers), KV heads (0 except attention). The MTP block (index L)
    // carries both its attention and its FFN values.
    std::vector<int32_t> ff(static_cast<size_t>(blocks), 0), kv(static_cast<size_t>(blocks), 0);
    auto mark = [&](size_t b, LayerKind k) {
        if (k == LayerKind::ATTENTION) kv[b] = static_cast<int32_t>(c.num_key_value_heads);
        if (k == LayerKind::MLP) ff[b] = static_cast<int32_t>(c.intermediate_size);
        if (k == LayerKind::MOE) ff[b] = static_cast<int32_t>(c.moe_intermediate_size);
    };
    for (int64_t i = 0; i < L; ++i) mark(static_cast<size_t>(i), c.layers[static_cast<size_t>(i)]);
    if (c.has_mtp())
        for (LayerKind k : c.mtp_layers) mark(static_cast<size_t>(L), k);
    w.add(p + "feed_forward_length", GgufValue::i32_array(ff));
    w.add(p + "attention.head_count", u32(c.num_attention_heads));
    w.add(p + "attention.head_count_kv", GgufValue::i32_array(kv));
    w.add(p + "attention.key_length", u32(c.head_dim));
    w.add(p + "attention.value_length", u32(c.head_dim));
    w.add(p + "attention.layer_norm_rms_epsilon", GgufValue::f32(c.norm_eps));
    w.add(p + "attention.layer_norm_epsilon", GgufValue::f32(c.norm_eps));
    w.add(p + "ssm.conv_kernel", u32(c.conv_kernel));
    w.add(p + "ssm.state_size", u32(c.ssm_state_size));
    w.add(p + "ssm.group_count", u32(c.n_groups));
    w.add(p + "ssm.inner_size", u32(c.mamba_inner()));
    w.add(p + "ssm.time_step_rank", u32(c.mamba_num_heads));
    if (c.architecture == "nemotron_h_moe") {
        w.add(p + "expert_count", u32(c.n_routed_experts));
        w.add(p + "expert_used_count", u32(c.num_experts_per_tok));
        w.add(p + "expert_feed_forward_length", u32(c.moe_intermediate_size));
        w.add(p + "expert_shared_feed_forward_length", u32(c.moe_shared_expert_intermediate_size));
        w.add(p + "expert_shared_count", u32(c.n_shared_experts));
        w.add(p + "expert_weights_norm", GgufValue::boolean(c.norm_topk_prob));
        w.add(p + "expert_weights_scale", GgufValue::f32(c.routed_scaling_factor));
        w.add(p + "expert_group_count", u32(c.n_group));
        w.add(p + "expert_group_used_count", u32(c.topk_group));
        if (c.moe_latent_size > 0) w.add(p + "moe_latent_size", u32(c.moe_latent_size));
    }
    if (c.has_mtp()) w.add(p + "nextn_predict_layers", u32(1));
    w.add(p + "vocab_size", u32(c.vocab_size));
}

}  // namespace hy
