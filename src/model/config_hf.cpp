// ModelConfig <-> HF config.json (spec/model.md §1).
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "model/config_io.h"

namespace hy {

namespace {

using nlohmann::json;

const json* field(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return nullptr;
    return &*it;
}

// JSON numbers that are whole and fit int64; anything else is an error naming the field.
int64_t as_int(const json& v, const std::string& path, const std::string& key) {
    if (v.is_number_unsigned()) {
        if (v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            throw file_error(path, "field " + key + " is out of range");
        return static_cast<int64_t>(v.get<uint64_t>());
    }
    if (v.is_number_integer()) return v.get<int64_t>();
    if (v.is_number_float()) {
        double d = v.get<double>();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) return static_cast<int64_t>(d);
    }
    throw file_error(path, "field " + key + " must be an integer");
}

// Numbers, plus the strings "Infinity"/"-Infinity"/"NaN" that config_from_hf_text produces from bare
// Python-JSON tokens.
double as_double(const json& v, const std::string& path, const std::string& key) {
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        if (s == "Infinity" || s == "inf") return std::numeric_limits<double>::infinity();
        if (s == "-Infinity" || s == "-inf") return -std::numeric_limits<double>::infinity();
    }
    throw file_error(path, "field " + key + " must be a number");
}

void get_int(const json& j, const char* key, int64_t& out, const std::string& path) {
    if (const json* v = field(j, key)) out = as_int(*v, path, key);
}

void get_float(const json& j, const char* key, float& out, const std::string& path) {
    if (const json* v = field(j, key)) out = static_cast<float>(as_double(*v, path, key));
}

void get_bool(const json& j, const char* key, bool& out, const std::string& path) {
    if (const json* v = field(j, key)) {
        if (!v->is_boolean()) throw file_error(path, std::string("field ") + key + " must be a boolean");
        out = v->get<bool>();
    }
}

int64_t require_int(const json& j, const char* key, const std::string& path) {
    const json* v = field(j, key);
    if (!v) throw file_error(path, std::string("missing required field ") + key);
    return as_int(*v, path, key);
}

// A pattern given as a string of M/*/-/E or as a list of block-type names.
std::vector<LayerKind> parse_pattern(const json& v, const std::string& path, const std::string& key) {
    std::vector<LayerKind> out;
    if (v.is_string()) {
        for (char ch : v.get_ref<const std::string&>()) out.push_back(layer_kind_from_char(ch, path, key));
    } else if (v.is_array()) {
        for (const json& e : v) {
            if (!e.is_string()) throw file_error(path, "field " + key + " must hold strings");
            out.push_back(layer_kind_from_name(e.get<std::string>(), path, key));
        }
    } else {
        throw file_error(path, "field " + key + " must be a string or a list");
    }
    return out;
}

// Pattern from either spelling; hybrid_override_pattern wins when both are present.
bool read_pattern(const json& j, const char* str_key, const char* list_key, std::vector<LayerKind>& out,
                  const std::string& path) {
    if (const json* v = field(j, str_key)) {
        out = parse_pattern(*v, path, str_key);
        return true;
    }
    if (const json* v = field(j, list_key)) {
        out = parse_pattern(*v, path, list_key);
        return true;
    }
    return false;
}

// bos/eos may be an int or a list of ints.
std::vector<int64_t> int_or_list(const json& v, const std::string& path, const std::string& key) {
    std::vector<int64_t> out;
    if (v.is_array()) {
        for (const json& e : v) out.push_back(as_int(e, path, key));
    } else {
        out.push_back(as_int(v, path, key));
    }
    return out;
}

// Replaces bare Infinity / -Infinity / NaN tokens outside string literals by quoted strings.
std::string quote_nonfinite(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 16);
    bool in_string = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            out += c;
            if (c == '\\' && i + 1 < text.size()) {
                out += text[++i];
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
            out += c;
            continue;
        }
        bool replaced = false;
        for (std::string_view tok : {"-Infinity", "Infinity", "NaN"}) {
            if (text.substr(i, tok.size()) == tok) {
                out += '"';
                out += tok;
                out += '"';
                i += tok.size() - 1;
                replaced = true;
                break;
            }
        }
        if (!replaced) out += c;
    }
    return out;
}

}  // namespace

LayerKind layer_kind_from_char(char ch, const std::string& path, const std::string& field_name) {
    switch (ch) {
        case 'M':
            return LayerKind::MAMBA;
        case '*':
            return LayerKind::ATTENTION;
        case '-':
            return LayerKind::MLP;
        case 'E':
            return LayerKind::MOE;
        default:
            break;
    }
    throw file_error(path, "field " + field_name + ": invalid layer kind character '" +
                               (ch >= 0x20 && ch < 0x7f ? std::string(1, ch) : std::string("\\x?")) +
                               "' (expected M, *, - or E)");
}

LayerKind layer_kind_from_name(const std::string& name, const std::string& path,
                               const std::string& field_name) {
    if (name == "mamba" || name == "linear_attention" || name == "M") return LayerKind::MAMBA;
    if (name == "attention" || name == "full_attention" || name == "*") return LayerKind::ATTENTION;
    if (name == "mlp" || name == "-") return LayerKind::MLP;
    if (name == "moe" || name == "E") return LayerKind::MOE;
    throw file_error(path,
                     "field " + field_name + ": unknown layer block type \"" + name.substr(0, 64) + "\"");
}

ModelConfig config_from_hf_json(const json& j, const std::string& path) {
    if (!j.is_object()) throw file_error(path, "config.json is not a JSON object");
    ModelConfig c;

    if (!read_pattern(j, "hybrid_override_pattern", "layers_block_type", c.layers, path))
        throw file_error(path, "missing required field hybrid_override_pattern (or layers_block_type)");
    // §1.1 says to trust the pattern; a disagreeing num_hidden_layers still means a broken export,
    // so it is reported rather than silently ignored.
    if (const json* v = field(j, "num_hidden_layers")) {
        int64_t n = as_int(*v, path, "num_hidden_layers");
        if (n != c.num_layers())
            throw file_error(path, "field num_hidden_layers = " + std::to_string(n) +
                                       " but the layer pattern has " + std::to_string(c.num_layers()) +
                                       " layers");
    }

    c.hidden_size = require_int(j, "hidden_size", path);
    c.vocab_size = require_int(j, "vocab_size", path);

    get_int(j, "num_attention_heads", c.num_attention_heads, path);
    c.num_key_value_heads = c.num_attention_heads;  // GQA default: as many KV heads as query heads
    get_int(j, "num_key_value_heads", c.num_key_value_heads, path);
    get_int(j, "attention_head_dim", c.head_dim, path);
    get_int(j, "head_dim", c.head_dim, path);
    if (c.head_dim == 0 && c.num_attention_heads > 0) c.head_dim = c.hidden_size / c.num_attention_heads;

    get_int(j, "mamba_num_heads", c.mamba_num_heads, path);
    get_int(j, "mamba_head_dim", c.mamba_head_dim, path);
    get_int(j, "ssm_state_size", c.ssm_state_size, path);
    get_int(j, "n_groups", c.n_groups, path);
    get_int(j, "conv_kernel", c.conv_kernel, path);
    get_int(j, "chunk_size", c.chunk_size, path);
    if (const json* v = field(j, "time_step_limit")) {
        if (!v->is_array() || v->size() != 2)
            throw file_error(path, "field time_step_limit must be a list of 2 numbers");
        c.time_step_limit_min = static_cast<float>(as_double((*v)[0], path, "time_step_limit"));
        c.time_step_limit_max = static_cast<float>(as_double((*v)[1], path, "time_step_limit"));
    }

    get_int(j, "intermediate_size", c.intermediate_size, path);

    get_int(j, "n_routed_experts", c.n_routed_experts, path);
    get_int(j, "num_experts_per_tok", c.num_experts_per_tok, path);
    get_int(j, "moe_intermediate_size", c.moe_intermediate_size, path);
    get_int(j, "moe_shared_expert_intermediate_size", c.moe_shared_expert_intermediate_size, path);
    get_int(j, "n_shared_experts", c.n_shared_experts, path);
    get_int(j, "n_group", c.n_group, path);
    get_int(j, "topk_group", c.topk_group, path);
    get_bool(j, "norm_topk_prob", c.norm_topk_prob, path);
    get_float(j, "routed_scaling_factor", c.routed_scaling_factor, path);
    get_int(j, "moe_latent_size", c.moe_latent_size, path);  // null -> 0 (no LatentMoE)

    get_int(j, "num_nextn_predict_layers", c.num_nextn_predict_layers, path);
    if (!read_pattern(j, "mtp_hybrid_override_pattern", "mtp_layers_block_type", c.mtp_layers, path) &&
        c.num_nextn_predict_layers > 0)
        c.mtp_layers = {LayerKind::ATTENTION, LayerKind::MOE};  // HF default ["full_attention", "moe"]
    if (c.num_nextn_predict_layers == 0) c.mtp_layers.clear();

    // The HF field is layer_norm_epsilon; some configs duplicate it as norm_eps / rms_norm_eps.
    get_float(j, "rms_norm_eps", c.norm_eps, path);
    get_float(j, "norm_eps", c.norm_eps, path);
    get_float(j, "layer_norm_epsilon", c.norm_eps, path);
    get_bool(j, "tie_word_embeddings", c.tie_word_embeddings, path);
    if (const json* v = field(j, "bos_token_id")) {
        auto ids = int_or_list(*v, path, "bos_token_id");
        if (!ids.empty()) c.bos_token_id = ids.front();
    }
    if (const json* v = field(j, "eos_token_id")) c.eos_token_ids = int_or_list(*v, path, "eos_token_id");
    get_int(j, "pad_token_id", c.pad_token_id, path);
    get_int(j, "max_position_embeddings", c.max_position_embeddings, path);
    for (const char* key : {"torch_dtype", "dtype"}) {
        if (const json* v = field(j, key); v && v->is_string() && c.torch_dtype.empty())
            c.torch_dtype = v->get<std::string>();
    }

    bool moe = false;
    for (LayerKind k : c.layers) moe |= k == LayerKind::MOE;
    for (LayerKind k : c.mtp_layers) moe |= k == LayerKind::MOE;
    c.architecture = moe ? "nemotron_h_moe" : "nemotron_h";

    validate_config(c, path);
    return c;
}

ModelConfig config_from_hf_text(std::string_view text, const std::string& path) {
    json j = json::parse(quote_nonfinite(text), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) throw file_error(path, "config.json is not valid JSON");
    return config_from_hf_json(j, path);
}

ModelConfig load_hf_config(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw file_error(path, "cannot open config.json");
    std::stringstream ss;
    ss << in.rdbuf();
    return config_from_hf_text(ss.str(), path);
}

// The double nearest the shortest decimal that round-trips `f` (1e-05, not 9.999999747378752e-06), so
// files read like the Hub's and parse back to the same float.
static json short_float(float f) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof(buf), f);
    return json(std::strtod(std::string(buf, r.ptr).c_str(), nullptr));
}

static json pattern_names(const std::vector<LayerKind>& kinds) {
    json a = json::array();
    for (LayerKind k : kinds) {
        switch (k) {
            case LayerKind::MAMBA:
                a.push_back("mamba");
                break;
            case LayerKind::ATTENTION:
                a.push_back("attention");
                break;
            case LayerKind::MLP:
                a.push_back("mlp");
                break;
            case LayerKind::MOE:
                a.push_back("moe");
                break;
        }
    }
    return a;
}

json config_to_hf_json(const ModelConfig& c) {
    json j = json::object();
    j["architectures"] = json::array({"NemotronHForCausalLM"});
    j["model_type"] = "nemotron_h";
    j["hybrid_override_pattern"] = c.layer_pattern();
    j["layers_block_type"] = pattern_names(c.layers);
    j["num_hidden_layers"] = c.num_layers();
    j["hidden_size"] = c.hidden_size;
    j["vocab_size"] = c.vocab_size;
    j["num_attention_heads"] = c.num_attention_heads;
    j["num_key_value_heads"] = c.num_key_value_heads;
    j["head_dim"] = c.head_dim;
    j["attention_bias"] = false;
    j["mamba_num_heads"] = c.mamba_num_heads;
    j["mamba_head_dim"] = c.mamba_head_dim;
    j["ssm_state_size"] = c.ssm_state_size;
    j["n_groups"] = c.n_groups;
    j["conv_kernel"] = c.conv_kernel;
    j["chunk_size"] = c.chunk_size;
    j["expand"] = 2;
    j["mamba_hidden_act"] = "silu";
    j["use_conv_bias"] = true;
    j["use_bias"] = false;
    // HF's default is (0.0, inf); Python writes that as the non-JSON token Infinity, so a default limit is
    // simply left out and a finite one written as numbers.
    if (std::isfinite(c.time_step_limit_max) || c.time_step_limit_min != 0.0f)
        j["time_step_limit"] =
            json::array({short_float(c.time_step_limit_min), short_float(c.time_step_limit_max)});
    j["intermediate_size"] = c.intermediate_size;
    j["mlp_hidden_act"] = "relu2";
    j["mlp_bias"] = false;
    j["n_routed_experts"] = c.n_routed_experts;
    j["num_experts_per_tok"] = c.num_experts_per_tok;
    j["moe_intermediate_size"] = c.moe_intermediate_size;
    j["moe_shared_expert_intermediate_size"] = c.moe_shared_expert_intermediate_size;
    j["n_shared_experts"] = c.n_shared_experts;
    j["n_group"] = c.n_group;
    j["topk_group"] = c.topk_group;
    j["norm_topk_prob"] = c.norm_topk_prob;
    j["routed_scaling_factor"] = short_float(c.routed_scaling_factor);
    j["moe_latent_size"] = c.moe_latent_size > 0 ? json(c.moe_latent_size) : json(nullptr);
    j["num_nextn_predict_layers"] = c.num_nextn_predict_layers;
    if (c.num_nextn_predict_layers > 0) {
        j["mtp_hybrid_override_pattern"] = c.mtp_layer_pattern();
        j["mtp_layers_block_type"] = pattern_names(c.mtp_layers);
    }
    j["layer_norm_epsilon"] = short_float(c.norm_eps);
    j["tie_word_embeddings"] = c.tie_word_embeddings;
    j["bos_token_id"] = c.bos_token_id;
    if (c.eos_token_ids.size() == 1)
        j["eos_token_id"] = c.eos_token_ids[0];
    else
        j["eos_token_id"] = c.eos_token_ids;
    j["pad_token_id"] = c.pad_token_id;
    j["max_position_embeddings"] = c.max_position_embeddings;
    j["torch_dtype"] = c.torch_dtype;
    return j;
}

json config_to_json(const ModelConfig& c) {
    // The HF fields, minus HF-only constants, with infinity spelled out.
    json j = config_to_hf_json(c);
    for (const char* k :
         {"architectures", "model_type", "layers_block_type", "mtp_layers_block_type",
          "hybrid_override_pattern", "mtp_hybrid_override_pattern", "expand", "mamba_hidden_act",
          "use_conv_bias", "use_bias", "mlp_hidden_act", "mlp_bias", "attention_bias"})
        j.erase(k);
    j["architecture"] = c.architecture;
    j["layer_pattern"] = c.layer_pattern();
    j["mtp_layer_pattern"] = c.mtp_layer_pattern();
    auto limit = [](float v) {
        return std::isinf(v) ? json(v > 0 ? "Infinity" : "-Infinity") : short_float(v);
    };
    j["time_step_limit"] = json::array({limit(c.time_step_limit_min), limit(c.time_step_limit_max)});
    j["moe_latent_size"] = c.moe_latent_size;
    j["eos_token_id"] = c.eos_token_ids;
    j["derived"] = {{"mamba_inner", c.mamba_inner()},
                    {"conv_channels", c.conv_channels()},
                    {"mamba_group_size", c.n_groups > 0 ? c.mamba_group_size() : 0},
                    {"in_proj_rows", c.in_proj_rows()},
                    {"moe_routed_width", c.moe_routed_width()}};
    return j;
}

}  // namespace hy
