#include "engine/kv_block_pool.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"

namespace hy {

KvBlockPool::KvBlockPool(int64_t num_blocks, int64_t block_size, int64_t n_attn_layers, int64_t row,
                         kernels::KvDtype dtype, int64_t kv_heads)
    : block_size_(block_size),
      row_(row),
      n_layers_(n_attn_layers),
      dtype_(dtype),
      kv_heads_(kv_heads),
      row_bytes_(kernels::kv_row_bytes(dtype, kv_heads, kv_heads > 0 ? row / kv_heads : 0)),
      block_bytes_(static_cast<size_t>(bytes_per_block(block_size, n_attn_layers, row_bytes_))),
      storage_floats_(make_aligned_array<float>(
          std::max<size_t>(1, (static_cast<size_t>(num_blocks) * block_bytes_ + 3) / 4))),
      storage_(reinterpret_cast<uint8_t*>(storage_floats_.get())),
      meta_(static_cast<size_t>(num_blocks)),
      tokens_(static_cast<size_t>(num_blocks * block_size)) {
    HY_ASSERT(num_blocks > 0 && block_size > 0 && kv_heads > 0 && row % kv_heads == 0);
    for (int32_t b = 0; b < static_cast<int32_t>(num_blocks); ++b) {
        free_.push_back(b);
        meta_[static_cast<size_t>(b)].free_pos = std::prev(free_.end());
        meta_[static_cast<size_t>(b)].in_free = true;
    }
}

void KvBlockPool::unpublish(int32_t b) {
    Meta& m = meta_[static_cast<size_t>(b)];
    if (!m.published) return;
    by_hash_.erase(m.hash);
    m.published = false;
}

int32_t KvBlockPool::allocate() {
    if (free_.empty()) return -1;
    const int32_t b = free_.front();
    free_.pop_front();
    Meta& m = meta_[static_cast<size_t>(b)];
    m.in_free = false;
    unpublish(b);  // its old content is being overwritten
    m.ref = 1;
    return b;
}

void KvBlockPool::ref(int32_t b) {
    Meta& m = meta_[static_cast<size_t>(b)];
    if (m.in_free) {
        free_.erase(m.free_pos);
        m.in_free = false;
    }
    ++m.ref;
}

void KvBlockPool::release(int32_t b) {
    Meta& m = meta_[static_cast<size_t>(b)];
    HY_ASSERT(m.ref > 0);
    if (--m.ref > 0) return;
    // Content-less blocks go first in line, published ones to the back: reuse evicts the least
    // recently used prefix.
    m.free_pos = m.published ? free_.insert(free_.end(), b) : free_.insert(free_.begin(), b);
    m.in_free = true;
}

int32_t KvBlockPool::find(uint64_t hash, uint64_t parent, std::span<const int32_t> tokens) const {
    auto it = by_hash_.find(hash);
    if (it == by_hash_.end()) return -1;
    const int32_t b = it->second;
    const Meta& m = meta_[static_cast<size_t>(b)];
    // The hash is 64 bits; the stored tokens and parent make a collision harmless.
    if (m.parent != parent || static_cast<int64_t>(tokens.size()) != block_size_ ||
        !std::equal(tokens.begin(), tokens.end(),
                    tokens_.begin() + static_cast<std::ptrdiff_t>(b * block_size_)))
        return -1;
    return b;
}

void KvBlockPool::publish(int32_t b, uint64_t hash, uint64_t parent, std::span<const int32_t> tokens) {
    HY_ASSERT(static_cast<int64_t>(tokens.size()) == block_size_);
    Meta& m = meta_[static_cast<size_t>(b)];
    if (m.published || by_hash_.count(hash)) return;
    m.published = true;
    m.hash = hash;
    m.parent = parent;
    std::copy(tokens.begin(), tokens.end(), tokens_.begin() + static_cast<std::ptrdiff_t>(b * block_size_));
    by_hash_.emplace(hash, b);
}

float* KvBlockPool::as_floats(uint8_t* p) const {
    HY_ASSERT(dtype_ == kernels::KvDtype::F32);
    return reinterpret_cast<float*>(p);
}

void KvBlockPool::read_rows(int32_t b, int64_t n, uint8_t* out) {
    HY_ASSERT(n >= 0 && n <= block_size_);
    const size_t bytes = static_cast<size_t>(n * row_bytes_);
    for (int64_t layer = 0; layer < n_layers_; ++layer)
        for (int kv = 0; kv < 2; ++kv, out += bytes) std::memcpy(out, data(b, layer, kv), bytes);
}

void KvBlockPool::write_rows(int32_t b, int64_t n, const uint8_t* in) {
    HY_ASSERT(n >= 0 && n <= block_size_);
    const size_t bytes = static_cast<size_t>(n * row_bytes_);
    for (int64_t layer = 0; layer < n_layers_; ++layer)
        for (int kv = 0; kv < 2; ++kv, in += bytes) std::memcpy(data(b, layer, kv), in, bytes);
}

void KvBlockPool::copy_rows(int32_t src, int64_t src_first, int32_t dst, int64_t dst_first, int64_t n) {
    HY_ASSERT(n >= 0 && src_first >= 0 && dst_first >= 0 && src_first + n <= block_size_ &&
              dst_first + n <= block_size_);
    const size_t bytes = static_cast<size_t>(n * row_bytes_);
    for (int64_t layer = 0; layer < n_layers_; ++layer)
        for (int kv = 0; kv < 2; ++kv)
            std::memmove(data(dst, layer, kv) + dst_first * row_bytes_,
                         data(src, layer, kv) + src_first * row_bytes_, bytes);
}

void KvBlockPool::clear_cache() {
    for (int32_t b = 0; b < num_blocks(); ++b) unpublish(b);
}

}  // namespace hy
