#include "model/sequence_state.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"

namespace hy {

LocalSequenceState::LocalSequenceState(const ModelConfig& cfg, const std::vector<LayerKind>& layers)
    : kv_row_(cfg.num_key_value_heads * cfg.head_dim), layers_(layers.size()) {
    for (size_t i = 0; i < layers.size(); ++i) {
        if (layers[i] != LayerKind::MAMBA) continue;
        layers_[i].conv.assign(static_cast<size_t>((cfg.conv_kernel - 1) * cfg.conv_channels()), 0.0f);
        layers_[i].ssm.assign(
            static_cast<size_t>(cfg.mamba_num_heads * cfg.mamba_head_dim * cfg.ssm_state_size), 0.0f);
    }
}

LocalSequenceState::Layer& LocalSequenceState::layer_at(int64_t layer) {
    HY_ASSERT(layer >= 0 && layer < static_cast<int64_t>(layers_.size()));
    return layers_[static_cast<size_t>(layer)];
}

float* LocalSequenceState::conv_state(int64_t layer) {
    return layer_at(layer).conv.data();
}
float* LocalSequenceState::ssm_state(int64_t layer) {
    return layer_at(layer).ssm.data();
}

void LocalSequenceState::kv_reserve(int64_t layer, int64_t n_tokens) {
    Layer& l = layer_at(layer);
    const size_t pages = static_cast<size_t>((n_tokens + kPageTokens - 1) / kPageTokens);
    while (l.k.size() < pages) {
        l.k.push_back(make_aligned_array<float>(static_cast<size_t>(kPageTokens * kv_row_)));
        l.v.push_back(make_aligned_array<float>(static_cast<size_t>(kPageTokens * kv_row_)));
        l.k_ptrs.push_back(l.k.back().get());
        l.v_ptrs.push_back(l.v.back().get());
    }
}

// fp32 storage: the rows are copied as they are.
void LocalSequenceState::store_kv(int64_t layer, int64_t pos, const float* k, const float* v, int64_t row) {
    Layer& l = layer_at(layer);
    HY_ASSERT(row == kv_row_ && pos >= 0 && pos / kPageTokens < static_cast<int64_t>(l.k.size()));
    const size_t page = static_cast<size_t>(pos / kPageTokens),
                 bytes = static_cast<size_t>(row) * sizeof(float);
    std::memcpy(l.k_ptrs[page] + (pos % kPageTokens) * kv_row_, k, bytes);
    std::memcpy(l.v_ptrs[page] + (pos % kPageTokens) * kv_row_, v, bytes);
}

kernels::KvView LocalSequenceState::kv_view(int64_t layer) {
    Layer& l = layer_at(layer);
    kernels::KvView v;
    v.k_pages = l.k_ptrs.data();
    v.v_pages = l.v_ptrs.data();
    v.page_tokens = kPageTokens;
    v.row = kv_row_;
    return v;
}

void LocalSequenceState::reset() {
    n_past_ = 0;
    for (auto& l : layers_) {
        std::fill(l.conv.begin(), l.conv.end(), 0.0f);
        std::fill(l.ssm.begin(), l.ssm.end(), 0.0f);
    }
}

}  // namespace hy
