#include "engine/paged_sequence_state.h"

#include <algorithm>

#include "core/error.h"
#include "kernels/kv_convert.h"

namespace hy {

PagedSequenceState::PagedSequenceState(KvBlockPool& blocks, MambaStatePool& slots,
                                       const std::vector<int64_t>& attn_index, int32_t slot)
    : pool_(blocks), slots_(slots), attn_index_(attn_index), slot_(slot) {
    const int64_t n_attn =
        std::count_if(attn_index.begin(), attn_index.end(), [](int64_t i) { return i >= 0; });
    k_bytes_.resize(static_cast<size_t>(n_attn));
    v_bytes_.resize(static_cast<size_t>(n_attn));
    if (pool_.dtype() == kernels::KvDtype::F32) {
        k_pages_.resize(static_cast<size_t>(n_attn));
        v_pages_.resize(static_cast<size_t>(n_attn));
    }
}

PagedSequenceState::~PagedSequenceState() {
    for (int32_t b : table_) pool_.release(b);
    slots_.release(slot_);
}

int64_t PagedSequenceState::attn(int64_t layer) const {
    HY_ASSERT(layer >= 0 && layer < static_cast<int64_t>(attn_index_.size()));
    const int64_t a = attn_index_[static_cast<size_t>(layer)];
    HY_ASSERT(a >= 0);
    return a;
}

void PagedSequenceState::append_block(int32_t b) {
    table_.push_back(b);
    for (size_t a = 0; a < k_bytes_.size(); ++a) {
        k_bytes_[a].push_back(pool_.k_bytes(b, static_cast<int64_t>(a)));
        v_bytes_[a].push_back(pool_.v_bytes(b, static_cast<int64_t>(a)));
    }
    for (size_t a = 0; a < k_pages_.size(); ++a) {
        k_pages_[a].push_back(pool_.k(b, static_cast<int64_t>(a)));
        v_pages_[a].push_back(pool_.v(b, static_cast<int64_t>(a)));
    }
}

void PagedSequenceState::kv_reserve(int64_t layer, int64_t n_tokens) {
    attn(layer);
    HY_ASSERT(n_tokens <= capacity());  // the scheduler allocates blocks before the forward
}

void PagedSequenceState::store_kv(int64_t layer, int64_t pos, const float* k, const float* v, int64_t row) {
    const int64_t B = pool_.block_size(), rb = pool_.row_bytes(), heads = pool_.kv_heads();
    HY_ASSERT(pos >= 0 && pos < capacity() && row == pool_.row());
    const size_t a = static_cast<size_t>(attn(layer)), page = static_cast<size_t>(pos / B);
    kernels::encode_kv_row(pool_.dtype(), k, heads, row / heads, k_bytes_[a][page] + (pos % B) * rb);
    kernels::encode_kv_row(pool_.dtype(), v, heads, row / heads, v_bytes_[a][page] + (pos % B) * rb);
}

kernels::KvView PagedSequenceState::kv_view(int64_t layer) {
    const size_t a = static_cast<size_t>(attn(layer));
    kernels::KvView v;
    if (!k_pages_.empty()) {
        v.k_pages = k_pages_[a].data();
        v.v_pages = v_pages_[a].data();
    }
    v.k_bytes = k_bytes_[a].data();
    v.v_bytes = v_bytes_[a].data();
    v.page_tokens = pool_.block_size();
    v.row = pool_.row();
    v.row_bytes = pool_.row_bytes();
    v.dtype = pool_.dtype();
    return v;
}

void PagedSequenceState::set_capture_points(std::vector<int64_t> points, float* images) {
    HY_ASSERT(points.empty() || images != nullptr);
    capture_points_ = std::move(points);
    captured_ = images;
}

void PagedSequenceState::on_mamba_capture(int64_t layer, size_t index, const float* conv, const float* ssm) {
    HY_ASSERT(index < capture_points_.size());
    // Same offsets as in the slot, so a captured state is a slot image.
    float* base = captured_ + index * static_cast<size_t>(slots_.slot_floats());
    const float* slot = slots_.slot(slot_);
    const int64_t conv_off = slots_.conv(slot_, layer) - slot, ssm_off = slots_.ssm(slot_, layer) - slot;
    std::copy(conv, conv + slots_.conv_per_layer(), base + conv_off);
    std::copy(ssm, ssm + slots_.ssm_per_layer(), base + ssm_off);
}

}  // namespace hy
