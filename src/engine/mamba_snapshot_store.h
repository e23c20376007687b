// Mamba snapshots for prefix caching of a hybrid model (issue 6): a KV prefix hit is usable only
// where the conv + SSM state after exactly that many tokens is known, so the scheduler stores a copy
// of a sequence's slot at chosen block boundaries, keyed by the chain hash of the last block
// (block_hash.h). The store has its own fixed capacity and evicts least recently used snapshots.
// The SSM part is kept in --mamba-ssm-cache-dtype (float32, float16 or bfloat16; conv state stays
// fp32); 16-bit storage rounds to nearest, or stochastically from a Philox stream keyed by the
// snapshot's hash and element index (--enable-mamba-cache-stochastic-rounding), so it is reproducible.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace hy {

enum class SsmCacheDtype { FLOAT32, FLOAT16, BFLOAT16 };
SsmCacheDtype parse_ssm_cache_dtype(const std::string& name);  // throws hy::Error
const char* ssm_cache_dtype_name(SsmCacheDtype d);

struct SnapshotRounding {
    SsmCacheDtype dtype = SsmCacheDtype::FLOAT32;
    bool stochastic = false;
    int philox_rounds = 10;
    uint64_t seed = 0;
};

// fp32 → 16-bit storage of n values and back (exposed for the fidelity tests). `stream` selects the
// Philox counter range (the snapshot's key).
void store_ssm(const float* src, int64_t n, void* dst, const SnapshotRounding& r, uint64_t stream);
void load_ssm(const void* src, int64_t n, float* dst, SsmCacheDtype dtype);
int64_t ssm_dtype_bytes(SsmCacheDtype d);

// An end-of-prompt snapshot off a block boundary (issue 6 "Store snapshots at the end of every
// prompt"): the prompt's full blocks are shared through the KV cache, but its partial last block is
// not published, so its rows travel with the snapshot. A later prompt that extends this one resumes at
// exactly its length: full blocks by reference, these rows copied into a fresh block.
struct SnapshotTail {
    uint64_t parent = 0;          // chain hash of the last full block before the tail (or the root)
    std::vector<int32_t> tokens;  // the tail's tokens (1 .. block_size − 1)
    std::vector<uint8_t> kv;      // their K/V rows (KvBlockPool::read_rows layout)
    size_t bytes() const { return tokens.size() * sizeof(int32_t) + kv.size(); }
};

// The key of a tail snapshot: distinct from every full-block chain hash of the same parent.
uint64_t tail_key(uint64_t parent, const std::vector<int32_t>& tokens);

class MambaSnapshotStore {
  public:
    // Room for `capacity` snapshots without a tail; tails take their bytes from the same budget.
    MambaSnapshotStore(int64_t capacity, int64_t conv_floats, int64_t ssm_floats, SnapshotRounding rounding);

    int64_t capacity() const { return capacity_; }
    int64_t size() const { return static_cast<int64_t>(index_.size()); }
    int64_t used_bytes() const { return used_bytes_; }
    int64_t budget_bytes() const { return capacity_ * bytes_; }
    static int64_t bytes_per_snapshot(int64_t conv_floats, int64_t ssm_floats, SsmCacheDtype d) {
        return conv_floats * 4 + ssm_floats * ssm_dtype_bytes(d);
    }

    bool contains(uint64_t key) const { return index_.count(key) != 0; }
    // Copies a slot (conv then SSM, MambaStatePool layout) in, with an optional tail; evicts least
    // recently used snapshots until it fits. A tail larger than the whole budget is not stored.
    void save(uint64_t key, const float* slot, SnapshotTail tail = {});
    // Writes the snapshot into a slot and marks it recently used; false when absent.
    bool restore(uint64_t key, float* slot);
    const SnapshotTail* tail(uint64_t key) const;
    // Keys of the stored tails that follow the chain hash `parent`.
    std::vector<uint64_t> tails_after(uint64_t parent) const;
    void clear();

  private:
    struct Entry {
        int64_t index;
        std::list<uint64_t>::iterator lru;
        SnapshotTail tail;
    };
    uint8_t* at(int64_t i) { return data_.get() + static_cast<size_t>(i * bytes_); }
    void evict_lru();

    int64_t capacity_, conv_floats_, ssm_floats_, bytes_;
    int64_t used_bytes_ = 0;
    SnapshotRounding rounding_;
    std::unique_ptr<uint8_t[]> data_;
    std::vector<int64_t> free_;
    std::list<uint64_t> lru_;  // front = least recently used
    std::unordered_map<uint64_t, Entry> index_;
    std::unordered_multimap<uint64_t, uint64_t> tails_;  // parent → key of a snapshot with a tail
};

}  // namespace hy
