// The paged KV cache of the attention layers (issue 6 "Memory"): a fixed pool of blocks of
// `block_size` tokens, each holding K and V rows for every attention layer (one page per layer and
// K/V; see data() for where they lie). Blocks are ref-counted so
// sequences sharing a prompt prefix share its blocks; a full block can be published under the hash
// chain of its tokens (block_hash.h) and found again by a later request. Free blocks form an LRU list:
// blocks without content are handed out first, then published blocks in the order they were freed,
// so recently used prefixes survive longest (vLLM's free-block queue).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "core/aligned.h"
#include "kernels/attention.h"

namespace hy {

class KvBlockPool {
  public:
    // `row`: elements per token per layer for K (and again for V), i.e. Hkv·dh, stored as `dtype`
    // (--kv-cache-dtype; `kv_heads` = Hkv matters for FP8, which keeps one scale per head and token).
    KvBlockPool(int64_t num_blocks, int64_t block_size, int64_t n_attn_layers, int64_t row,
                kernels::KvDtype dtype = kernels::KvDtype::F32, int64_t kv_heads = 1);

    int64_t num_blocks() const { return static_cast<int64_t>(meta_.size()); }
    int64_t block_size() const { return block_size_; }
    int64_t row() const { return row_; }
    kernels::KvDtype dtype() const { return dtype_; }
    int64_t kv_heads() const { return kv_heads_; }
    int64_t row_bytes() const { return row_bytes_; }  // one token's K (or V) row of one layer
    int64_t num_free() const { return static_cast<int64_t>(free_.size()); }  // ref 0, cached or not
    int64_t num_cached() const { return static_cast<int64_t>(by_hash_.size()); }
    int32_t ref_count(int32_t b) const { return meta_[static_cast<size_t>(b)].ref; }

    // A free block with ref 1 and no published content (evicts the LRU cached one); -1 when none.
    int32_t allocate();
    void ref(int32_t b);      // one more user (a prefix hit); takes a free cached block off the list
    void release(int32_t b);  // one user fewer; at 0 the block becomes free (kept cached if published)

    // The published block holding exactly `tokens` after the chain `parent`, or -1.
    int32_t find(uint64_t hash, uint64_t parent, std::span<const int32_t> tokens) const;
    // Registers a full, computed block under its chain hash; a no-op when that hash is already taken.
    void publish(int32_t b, uint64_t hash, uint64_t parent, std::span<const int32_t> tokens);
    // Forgets every published block (free ones become plain free blocks).
    void clear_cache();

    // The first n rows (tokens) of block b, K and V of every attention layer, as bytes in the pool's
    // storage dtype, and back: the partial last block of a prompt kept with its end-of-prompt snapshot
    // (mamba_snapshot_store.h SnapshotTail) and copied into a fresh block on a hit.
    int64_t rows_bytes(int64_t n) const { return n * n_layers_ * 2 * row_bytes_; }
    void read_rows(int32_t b, int64_t n, uint8_t* out);
    void write_rows(int32_t b, int64_t n, const uint8_t* in);
    // Rows [src_first, src_first + n) of block src → rows [dst_first, …) of block dst, every layer.
    void copy_rows(int32_t src, int64_t src_first, int32_t dst, int64_t dst_first, int64_t n);

    // Pages (rows of row_bytes()) of block b for attention layer `attn_layer`; float* for F32 pools.
    uint8_t* k_bytes(int32_t b, int64_t attn_layer) { return data(b, attn_layer, 0); }
    uint8_t* v_bytes(int32_t b, int64_t attn_layer) { return data(b, attn_layer, 1); }
    float* k(int32_t b, int64_t attn_layer) { return as_floats(k_bytes(b, attn_layer)); }
    float* v(int32_t b, int64_t attn_layer) { return as_floats(v_bytes(b, attn_layer)); }
    size_t bytes() const { return static_cast<size_t>(num_blocks()) * block_bytes_; }
    static int64_t bytes_per_block(int64_t block_size, int64_t n_attn_layers, int64_t row_bytes) {
        return block_size * n_attn_layers * 2 * row_bytes;
    }

  private:
    struct Meta {
        int32_t ref = 0;
        bool published = false;
        uint64_t hash = 0, parent = 0;
        std::list<int32_t>::iterator free_pos;
        bool in_free = false;
    };
    // Layer-major: the pages of one layer's K (or V) lie side by side in block order, so the blocks a
    // sequence got one after another (a fresh pool hands them out in order) are one run of memory for
    // the attention kernel's key tiles. Block-major, a layer's pages were 8 pages apart on `small`
    // (4 attention layers x K, V): 2.5-3.5% slower tiles (docs/engine.md "Session 15").
    uint8_t* data(int32_t b, int64_t layer, int kv) {
        return storage_ + (static_cast<size_t>(layer * 2 + kv) * meta_.size() + static_cast<size_t>(b)) *
                              static_cast<size_t>(block_size_ * row_bytes_);
    }
    float* as_floats(uint8_t* p) const;  // F32 pools only

    void unpublish(int32_t b);

    int64_t block_size_, row_, n_layers_;
    kernels::KvDtype dtype_;
    int64_t kv_heads_, row_bytes_;
    size_t block_bytes_;
    // Allocated as floats (aligned for F32 rows); untouched pages cost nothing until a block is used.
    AlignedArray<float> storage_floats_;
    uint8_t* storage_;
    std::vector<Meta> meta_;
    std::vector<int32_t> tokens_;  // [num_blocks, block_size]: published content, checked on find
    std::list<int32_t> free_;      // front = next to hand out
    std::unordered_map<uint64_t, int32_t> by_hash_;
};

}  // namespace hy
