// Reading and writing ModelConfig: HF config.json (spec/model.md §1), GGUF metadata (§3, bottom) and
// the validation both go through. Every error names the file and the field.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "model/model_config.h"

namespace hy {

struct GgufFile;
class GgufWriter;

// HF config.json already parsed. Unknown fields are ignored; fields of the wrong type, unknown layer
// kinds and missing required fields throw hy::Error naming `path` and the field. Validates.
ModelConfig config_from_hf_json(const nlohmann::json& j, const std::string& path);

// The text of a config.json. Hub files write `Infinity`/`NaN` bare (Python's json.dumps), which is not
// JSON: those tokens are turned into strings outside string literals before parsing.
ModelConfig config_from_hf_text(std::string_view text, const std::string& path);

// Reads and parses a config.json file.
ModelConfig load_hf_config(const std::string& path);

// GGUF metadata of architecture nemotron_h / nemotron_h_moe (llama.cpp key names). Layer kinds come from
// the per-layer arrays and, to tell MoE from dense MLP blocks, from the tensors present. Validates.
ModelConfig config_from_gguf(const GgufFile& gguf);

// Writes the llama.cpp metadata keys for `c` (general.architecture and the `<arch>.` keys; no tokenizer).
void config_to_gguf(const ModelConfig& c, GgufWriter& w);

// Consistency checks (pattern vs num_hidden_layers is checked by the parsers, which see both).
void validate_config(const ModelConfig& c, const std::string& path);

// HF config.json content for `c` (what make-test-model writes; config_from_hf_json reads it back).
nlohmann::json config_to_hf_json(const ModelConfig& c);

// The config as `inspect` shows it: the HF fields plus the derived values, infinity as "Infinity".
nlohmann::json config_to_json(const ModelConfig& c);

// Layer kind letter from a pattern char or a layers_block_type name; throws naming `field` otherwise.
LayerKind layer_kind_from_char(char ch, const std::string& path, const std::string& field);
LayerKind layer_kind_from_name(const std::string& name, const std::string& path, const std::string& field);

}  // namespace hy
