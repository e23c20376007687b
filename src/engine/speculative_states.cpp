#include "engine/speculative_states.h"

#include <algorithm>

#include "core/error.h"

namespace hy {

void MambaStepStates::begin(int32_t slot, int64_t n_keep) {
    slot_ = slot;
    n_keep_ = n_keep;
    images_.resize(static_cast<size_t>(n_keep * pool_.slot_floats()));  // only grows: no allocation per step
}

void MambaStepStates::on_token(int64_t layer, int64_t token, const float* conv, const float* ssm) {
    if (token >= n_keep_) return;  // the state after the last fed token stays in the slot itself
    // Same offsets as in the slot, so an image can be copied back whole.
    const float* slot = pool_.slot(slot_);
    float* base = images_.data() + token * pool_.slot_floats();
    std::copy(conv, conv + pool_.conv_per_layer(), base + (pool_.conv(slot_, layer) - slot));
    std::copy(ssm, ssm + pool_.ssm_per_layer(), base + (pool_.ssm(slot_, layer) - slot));
}

const float* MambaStepStates::image(int64_t token) const {
    HY_ASSERT(token >= 0 && token < n_keep_);
    return images_.data() + token * pool_.slot_floats();
}

void MambaStepStates::restore(int64_t token, float* slot_data) const {
    const float* img = image(token);
    std::copy(img, img + pool_.slot_floats(), slot_data);
}

}  // namespace hy
