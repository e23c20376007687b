// A sequence's view of the shared pools (issue 6): K/V through its block table into KvBlockPool
// (paged attention — a growing sequence gains blocks, nothing is copied) and its Mamba state in one
// MambaStatePool slot. The scheduler owns the block table: it appends blocks before a forward so
// that kv_reserve only checks that the tokens are addressable.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/kv_block_pool.h"
#include "engine/mamba_state_pool.h"
#include "model/sequence_state.h"

namespace hy {

class PagedSequenceState final : public SequenceState {
  public:
    // `attn_index`: trunk layer → index among attention layers (-1 for other kinds).
    PagedSequenceState(KvBlockPool& blocks, MambaStatePool& slots, const std::vector<int64_t>& attn_index,
                       int32_t slot);
    ~PagedSequenceState() override;  // releases its blocks and slot
    PagedSequenceState(const PagedSequenceState&) = delete;
    PagedSequenceState& operator=(const PagedSequenceState&) = delete;

    int64_t n_past() const override { return n_past_; }
    void set_n_past(int64_t n) override { n_past_ = n; }
    float* conv_state(int64_t layer) override { return slots_.conv(slot_, layer); }
    float* ssm_state(int64_t layer) override { return slots_.ssm(slot_, layer); }
    void kv_reserve(int64_t layer, int64_t n_tokens) override;
    kernels::KvView kv_view(int64_t layer) override;
    void store_kv(int64_t layer, int64_t pos, const float* k, const float* v, int64_t row) override;
    const std::vector<int64_t>* mamba_capture_points() override { return &capture_points_; }
    void on_mamba_capture(int64_t layer, size_t index, const float* conv, const float* ssm) override;
    // Speculative verification (engine/speculative_states.h) observes every token's Mamba state.
    MambaStateSink* mamba_sink() override { return sink_; }
    void set_mamba_sink(MambaStateSink* sink) { sink_ = sink; }

    // Engine side.
    void append_block(int32_t b);  // takes over one reference to b
    const std::vector<int32_t>& blocks() const { return table_; }
    int64_t capacity() const { return static_cast<int64_t>(table_.size()) * pool_.block_size(); }
    int32_t slot() const { return slot_; }
    float* slot_data() { return slots_.slot(slot_); }
    // Token counts inside the next forward call's new tokens at which the whole Mamba state is copied
    // (slot layout) into captured(i): prefix-cache snapshots that do not cut the prefill chunk. `images`
    // has room for points.size() slot images and outlives the forward call and the reading of
    // captured(): the scheduler lends every step one reused buffer, so a new prompt does not fault in
    // fresh pages of its own.
    void set_capture_points(std::vector<int64_t> points, float* images);
    const std::vector<int64_t>& capture_points() const { return capture_points_; }
    const float* captured(size_t i) const {
        return captured_ + i * static_cast<size_t>(slots_.slot_floats());
    }

  private:
    int64_t attn(int64_t layer) const;

    KvBlockPool& pool_;
    MambaStatePool& slots_;
    const std::vector<int64_t>& attn_index_;
    int32_t slot_;
    int64_t n_past_ = 0;
    std::vector<int32_t> table_;
    // Per attention layer, one pointer per block: rows in the pool's dtype, and as floats for F32 pools.
    std::vector<std::vector<uint8_t*>> k_bytes_, v_bytes_;
    std::vector<std::vector<float*>> k_pages_, v_pages_;
    std::vector<int64_t> capture_points_;
    float* captured_ = nullptr;  // [points, slot_floats], lent by the scheduler
    MambaStateSink* sink_ = nullptr;
};

}  // namespace hy
