#include "model/model_config.h"

namespace hy {

static std::string pattern_string(const std::vector<LayerKind>& kinds) {
    std::string s;
    for (LayerKind k : kinds) s += static_cast<char>(k);
    return s;
}

std::string ModelConfig::layer_pattern() const { return pattern_string(layers); }
std::string ModelConfig::mtp_layer_pattern() const { return pattern_string(mtp_layers); }

}  // namespace hy
