// Fixed per-sequence Mamba state (issue 6 "Memory"): a pool of slots, each holding conv state
// [K−1, Cd] and SSM state [Hm, P, N] for every Mamba layer of the trunk, in fp32 because the forward
// updates them in place. A slot is laid out as all conv states, then all SSM states, so a snapshot
// (mamba_snapshot_store.h) can store the SSM part in a narrower dtype as one range.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/aligned.h"
#include "model/model_config.h"

namespace hy {

class MambaStatePool {
  public:
    MambaStatePool(int64_t num_slots, const ModelConfig& cfg);

    int64_t num_slots() const { return num_slots_; }
    int64_t num_free() const { return static_cast<int64_t>(free_.size()); }
    int64_t conv_floats() const { return conv_floats_; }  // per slot, all layers
    int64_t ssm_floats() const { return ssm_floats_; }
    int64_t slot_floats() const { return conv_floats_ + ssm_floats_; }
    int64_t conv_per_layer() const { return conv_per_layer_; }
    int64_t ssm_per_layer() const { return ssm_per_layer_; }
    static int64_t bytes_per_slot(const ModelConfig& cfg);

    int32_t acquire();  // a zeroed slot (the state before any token); -1 when none is free
    void release(int32_t slot);

    float* slot(int32_t s) {
        return data_.get() + static_cast<size_t>(s) * static_cast<size_t>(slot_floats());
    }
    // `layer`: index into the trunk's layer list (must be a Mamba layer).
    float* conv(int32_t s, int64_t layer);
    float* ssm(int32_t s, int64_t layer);

  private:
    int64_t num_slots_, conv_per_layer_, ssm_per_layer_, conv_floats_, ssm_floats_;
    std::vector<int64_t> mamba_index_;  // layer → index among Mamba layers, -1 otherwise
    AlignedArray<float> data_;
    std::vector<int32_t> free_;
    std::vector<char> in_use_;
};

}  // namespace hy
