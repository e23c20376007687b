#include "engine/mamba_state_pool.h"

#include <algorithm>

#include "core/error.h"

namespace hy {

namespace {
int64_t count_mamba(const ModelConfig& cfg) {
    return std::count(cfg.layers.begin(), cfg.layers.end(), LayerKind::MAMBA);
}
}  // namespace

int64_t MambaStatePool::bytes_per_slot(const ModelConfig& cfg) {
    return count_mamba(cfg) *
           ((cfg.conv_kernel - 1) * cfg.conv_channels() +
            cfg.mamba_num_heads * cfg.mamba_head_dim * cfg.ssm_state_size) *
           static_cast<int64_t>(sizeof(float));
}

MambaStatePool::MambaStatePool(int64_t num_slots, const ModelConfig& cfg)
    : num_slots_(num_slots),
      conv_per_layer_((cfg.conv_kernel - 1) * cfg.conv_channels()),
      ssm_per_layer_(cfg.mamba_num_heads * cfg.mamba_head_dim * cfg.ssm_state_size),
      conv_floats_(count_mamba(cfg) * conv_per_layer_),
      ssm_floats_(count_mamba(cfg) * ssm_per_layer_),
      in_use_(static_cast<size_t>(num_slots), 0) {
    HY_ASSERT(num_slots > 0);
    int64_t m = 0;
    for (LayerKind k : cfg.layers) mamba_index_.push_back(k == LayerKind::MAMBA ? m++ : -1);
    data_ = make_aligned_array<float>(std::max<size_t>(1, static_cast<size_t>(num_slots * slot_floats())));
    for (int32_t s = static_cast<int32_t>(num_slots) - 1; s >= 0; --s) free_.push_back(s);
}

int32_t MambaStatePool::acquire() {
    if (free_.empty()) return -1;
    const int32_t s = free_.back();
    free_.pop_back();
    in_use_[static_cast<size_t>(s)] = 1;
    std::fill(slot(s), slot(s) + slot_floats(), 0.0f);
    return s;
}

void MambaStatePool::release(int32_t s) {
    HY_ASSERT(s >= 0 && s < num_slots_ && in_use_[static_cast<size_t>(s)]);
    in_use_[static_cast<size_t>(s)] = 0;
    free_.push_back(s);
}

float* MambaStatePool::conv(int32_t s, int64_t layer) {
    const int64_t m = mamba_index_.at(static_cast<size_t>(layer));
    HY_ASSERT(m >= 0);
    return slot(s) + m * conv_per_layer_;
}

float* MambaStatePool::ssm(int32_t s, int64_t layer) {
    const int64_t m = mamba_index_.at(static_cast<size_t>(layer));
    HY_ASSERT(m >= 0);
    return slot(s) + conv_floats_ + m * ssm_per_layer_;
}

}  // namespace hy
