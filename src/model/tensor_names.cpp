// HF <-> GGUF <-> logical tensor table (spec/model.md §3).
#include "model/tensor_names.h"

#include <cmath>

#include "core/error.h"

namespace hy {

namespace {

using Shape = std::vector<int64_t>;

struct Builder {
    const ModelConfig& c;
    WeightFormat fmt;
    std::vector<TensorName> out;

    bool hf() const { return fmt == WeightFormat::HF; }

    // A tensor whose stored shape equals its logical shape.
    void add(std::string logical, Shape shape, bool vec, const std::string& hf_name,
             const std::string& gguf_name, bool mtp) {
        add_as(std::move(logical), shape, vec, hf_name, shape, gguf_name, shape, mtp);
    }
    void add_as(std::string logical, Shape shape, bool vec, const std::string& hf_name, Shape hf_shape,
                const std::string& gguf_name, Shape gguf_shape, bool mtp) {
        TensorName t;
        t.logical = std::move(logical);
        t.shape = std::move(shape);
        t.is_vector = vec;
        t.stored = hf() ? hf_name : gguf_name;
        t.stored_shape = hf() ? std::move(hf_shape) : std::move(gguf_shape);
        t.mtp = mtp;
        out.push_back(std::move(t));
    }

    // One layer of kind `kind`. `lp` = logical prefix ("layers.3."), `hp` = HF prefix
    // ("backbone.layers.3."), `gp` = GGUF prefix ("blk.3."), `gguf_norm` = GGUF name of its norm.
    void layer(LayerKind kind, const std::string& lp, const std::string& hp, const std::string& gp,
               const std::string& gguf_norm, bool mtp) {
        const int64_t D = c.hidden_size;
        add(lp + "norm", {D}, true, hp + "norm.weight", gp + gguf_norm + ".weight", mtp);
        const std::string hm = hp + "mixer.";
        switch (kind) {
            case LayerKind::MAMBA: {
                const int64_t Di = c.mamba_inner(), Cd = c.conv_channels(), Hm = c.mamba_num_heads;
                const int64_t K = c.conv_kernel, G = c.n_groups;
                const std::string l = lp + "mamba.";
                add(l + "in_proj", {c.in_proj_rows(), D}, false, hm + "in_proj.weight", gp + "ssm_in.weight",
                    mtp);
                add_as(l + "conv_weight", {Cd, K}, true, hm + "conv1d.weight", {Cd, 1, K},
                       gp + "ssm_conv1d.weight", {Cd, K}, mtp);
                add(l + "conv_bias", {Cd}, true, hm + "conv1d.bias", gp + "ssm_conv1d.bias", mtp);
                add(l + "dt_bias", {Hm}, true, hm + "dt_bias", gp + "ssm_dt.bias", mtp);
                add_as(l + "A", {Hm}, true, hm + "A_log", {Hm}, gp + "ssm_a", {Hm, 1}, mtp);
                if (hf()) out.back().transform = TensorTransform::NEG_EXP;
                add_as(l + "D", {Hm}, true, hm + "D", {Hm}, gp + "ssm_d", {Hm, 1}, mtp);
                add_as(l + "norm", {Di}, true, hm + "norm.weight", {Di}, gp + "ssm_norm.weight", {G, Di / G},
                       mtp);
                add(l + "out_proj", {D, Di}, false, hm + "out_proj.weight", gp + "ssm_out.weight", mtp);
                break;
            }
            case LayerKind::ATTENTION: {
                const int64_t q = c.num_attention_heads * c.head_dim, kv = c.num_key_value_heads * c.head_dim;
                const std::string l = lp + "attn.";
                add(l + "q_proj", {q, D}, false, hm + "q_proj.weight", gp + "attn_q.weight", mtp);
                add(l + "k_proj", {kv, D}, false, hm + "k_proj.weight", gp + "attn_k.weight", mtp);
                add(l + "v_proj", {kv, D}, false, hm + "v_proj.weight", gp + "attn_v.weight", mtp);
                add(l + "o_proj", {D, q}, false, hm + "o_proj.weight", gp + "attn_output.weight", mtp);
                break;
            }
            case LayerKind::MLP: {
                const int64_t F = c.intermediate_size;
                add(lp + "mlp.up_proj", {F, D}, false, hm + "up_proj.weight", gp + "ffn_up.weight", mtp);
                add(lp + "mlp.down_proj", {D, F}, false, hm + "down_proj.weight", gp + "ffn_down.weight",
                    mtp);
                break;
            }
            case LayerKind::MOE:
                moe(lp + "moe.", hm, gp, mtp);
                break;
        }
    }

    void moe(const std::string& l, const std::string& hm, const std::string& gp, bool mtp) {
        const int64_t D = c.hidden_size, E = c.n_routed_experts, Fe = c.moe_intermediate_size;
        const int64_t Lt = c.moe_routed_width(), Fs = c.shared_expert_width();
        add(l + "router", {E, D}, false, hm + "gate.weight", gp + "ffn_gate_inp.weight", mtp);
        add(l + "score_bias", {E}, true, hm + "gate.e_score_correction_bias", gp + "exp_probs_b.bias", mtp);
        if (c.moe_latent_size > 0) {
            add(l + "latent_down", {Lt, D}, false, hm + "fc1_latent_proj.weight",
                gp + "ffn_latent_down.weight", mtp);
            add(l + "latent_up", {D, Lt}, false, hm + "fc2_latent_proj.weight", gp + "ffn_latent_up.weight",
                mtp);
        }
        // HF stores one tensor per expert; llama.cpp stacks them into [E, out, in]. Each expert's matrix
        // is contiguous in the stack, so a GGUF expert is a slice (also for block-quantised types).
        for (const char* which : {"up", "down"}) {
            const bool up = which[0] == 'u';
            const Shape shape = up ? Shape{Fe, Lt} : Shape{Lt, Fe};
            for (int64_t e = 0; e < E; ++e) {
                const std::string hf_name =
                    hm + "experts." + std::to_string(e) + (up ? ".up_proj.weight" : ".down_proj.weight");
                add_as(l + "experts." + std::to_string(e) + "." + which, shape, false, hf_name, shape,
                       gp + (up ? "ffn_up_exps.weight" : "ffn_down_exps.weight"), {E, shape[0], shape[1]},
                       mtp);
                if (!hf()) out.back().expert = e;
            }
        }
        if (c.n_shared_experts > 0) {
            add(l + "shared_up", {Fs, D}, false, hm + "shared_experts.up_proj.weight",
                gp + "ffn_up_shexp.weight", mtp);
            add(l + "shared_down", {D, Fs}, false, hm + "shared_experts.down_proj.weight",
                gp + "ffn_down_shexp.weight", mtp);
        }
    }

    void mtp_block() {
        const int64_t D = c.hidden_size, L = c.num_layers();
        const auto& pat = c.mtp_layers;
        const std::string gp = "blk." + std::to_string(L) + ".";
        if (!hf()) {
            // llama.cpp flattens the MTP block into block L: the first layer's norm is attn_norm, the
            // second's ffn_norm (spec §3), so only [mixer][ffn] patterns have names there.
            auto is_ffn = [](LayerKind k) { return k == LayerKind::MLP || k == LayerKind::MOE; };
            bool ok = pat.size() <= 2 && (pat.size() < 2 || (!is_ffn(pat[0]) && is_ffn(pat[1])));
            if (!ok)
                throw Error("MTP pattern " + c.mtp_layer_pattern() + " cannot be stored in a GGUF block");
        }
        const std::string last = "mtp.layers." + std::to_string(pat.size() - 1) + ".";
        add("mtp.enorm", {D}, true, "mtp.layers.0.enorm.weight", gp + "nextn.enorm.weight", true);
        add("mtp.hnorm", {D}, true, "mtp.layers.0.hnorm.weight", gp + "nextn.hnorm.weight", true);
        add("mtp.eh_proj", {D, 2 * D}, false, "mtp.layers.0.eh_proj.weight", gp + "nextn.eh_proj.weight",
            true);
        for (size_t i = 0; i < pat.size(); ++i) {
            const std::string idx = std::to_string(i);
            layer(pat[i], "mtp.layers." + idx + ".", "mtp.layers." + idx + ".", gp,
                  i == 0 ? "attn_norm" : "ffn_norm", true);
        }
        add("mtp.final_norm", {D}, true, last + "final_layernorm.weight",
            gp + "nextn.shared_head_norm.weight", true);
    }
};

}  // namespace

std::vector<TensorName> tensor_names(const ModelConfig& c, WeightFormat format) {
    // A validated config can still claim thousands of layers of thousands of experts; refuse tables far
    // beyond any real model (Ultra: ~50K entries) instead of allocating gigabytes for a hostile file.
    const int64_t per_layer = 16 + 2 * c.n_routed_experts;
    const int64_t layers = c.num_layers() + static_cast<int64_t>(c.mtp_layers.size());
    if (layers * per_layer > (int64_t{1} << 22))
        throw Error("model config implies " + std::to_string(layers * per_layer) +
                    " tensors, more than supported");
    Builder b{c, format, {}};
    const int64_t V = c.vocab_size, D = c.hidden_size;
    b.add("embeddings", {V, D}, false, "backbone.embeddings.weight", "token_embd.weight", false);
    for (int64_t i = 0; i < c.num_layers(); ++i) {
        const std::string n = std::to_string(i);
        b.layer(c.layers[static_cast<size_t>(i)], "layers." + n + ".", "backbone.layers." + n + ".",
                "blk." + n + ".", "attn_norm", false);
    }
    b.add("final_norm", {D}, true, "backbone.norm_f.weight", "output_norm.weight", false);
    if (!c.tie_word_embeddings) b.add("lm_head", {V, D}, false, "lm_head.weight", "output.weight", false);
    if (c.has_mtp()) b.mtp_block();
    return b.out;
}

float a_from_a_log(float a_log) {
    return -std::exp(a_log);
}

}  // namespace hy
