// MTP speculative decoding, rollback side (spec/model.md §5.2 step 4, spec/architecture.md "Memory"):
// while the target verifies [x_last, d_1..d_n] the sequence's Mamba layers report the state after
// every fed token here, as images laid out like a MambaStatePool slot. After verification the
// scheduler copies the image after the last accepted token into the slot (when a draft was
// rejected) and stores prefix-cache snapshots for block boundaries crossed inside the accepted run,
// so a snapshot never holds a rejected draft's state (lessons.md, vllm#39809).
#pragma once

#include <cstdint>
#include <vector>

#include "engine/mamba_state_pool.h"
#include "model/sequence_state.h"

namespace hy {

class MambaStepStates final : public MambaStateSink {
  public:
    explicit MambaStepStates(MambaStatePool& pool) : pool_(pool) {}

    // The next forward feeds tokens into `slot`; keep the states after tokens [0, n_keep).
    void begin(int32_t slot, int64_t n_keep);
    void on_token(int64_t layer, int64_t token, const float* conv, const float* ssm) override;

    int64_t kept() const { return n_keep_; }
    const float* image(int64_t token) const;  // slot layout, after fed token `token` (< kept())
    void restore(int64_t token, float* slot_data) const;

  private:
    MambaStatePool& pool_;
    int32_t slot_ = -1;
    int64_t n_keep_ = 0;
    std::vector<float> images_;  // [n_keep, slot_floats]
};

}  // namespace hy
