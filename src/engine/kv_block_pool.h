// The paged KV cache of the attention layers (issue 6 "Memory"): a fixed pool of blocks of
// `block_size` tokens, each holding K and V rows for every attention layer. Blocks are ref-counted so
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

namespace hy {

class KvBlockPool {
  public:
    // `row`: floats per token per layer for K (and again for V), i.e. Hkv·dh.
    KvBlockPool(int64_t num_blocks, int64_t block_size, int64_t n_attn_layers, int64_t row);

    int64_t num_blocks() const { return static_cast<int64_t>(meta_.size()); }
    int64_t block_size() const { return block_size_; }
    int64_t row() const { return row_; }
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

    float* k(int32_t b, int64_t attn_layer) { return data(b, attn_layer, 0); }
    float* v(int32_t b, int64_t attn_layer) { return data(b, attn_layer, 1); }
    size_t bytes() const { return static_cast<size_t>(num_blocks()) * block_floats_ * sizeof(float); }
    static int64_t bytes_per_block(int64_t block_size, int64_t n_attn_layers, int64_t row) {
        return block_size * n_attn_layers * 2 * row * static_cast<int64_t>(sizeof(float));
    }

  private:
    struct Meta {
        int32_t ref = 0;
        bool published = false;
        uint64_t hash = 0, parent = 0;
        std::list<int32_t>::iterator free_pos;
        bool in_free = false;
    };
    float* data(int32_t b, int64_t layer, int kv) {
        return storage_.get() + static_cast<size_t>(b) * block_floats_ +
               static_cast<size_t>((layer * 2 + kv) * block_size_ * row_);
    }
    void unpublish(int32_t b);

    int64_t block_size_, row_;
    size_t block_floats_;
    std::unique_ptr<float[]> storage_;  // untouched pages cost nothing until a block is first used
    std::vector<Meta> meta_;
    std::vector<int32_t> tokens_;  // [num_blocks, block_size]: published content, checked on find
    std::list<int32_t> free_;      // front = next to hand out
    std::unordered_map<uint64_t, int32_t> by_hash_;
};

}  // namespace hy
