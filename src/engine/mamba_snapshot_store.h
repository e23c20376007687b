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

class MambaSnapshotStore {
  public:
    MambaSnapshotStore(int64_t capacity, int64_t conv_floats, int64_t ssm_floats, SnapshotRounding rounding);

    int64_t capacity() const { return capacity_; }
    int64_t size() const { return static_cast<int64_t>(index_.size()); }
    static int64_t bytes_per_snapshot(int64_t conv_floats, int64_t ssm_floats, SsmCacheDtype d) {
        return conv_floats * 4 + ssm_floats * ssm_dtype_bytes(d);
    }

    bool contains(uint64_t key) const { return index_.count(key) != 0; }
    // Copies a slot (conv then SSM, MambaStatePool layout) in; evicts the LRU snapshot when full.
    void save(uint64_t key, const float* slot);
    // Writes the snapshot into a slot and marks it recently used; false when absent.
    bool restore(uint64_t key, float* slot);
    void clear();

  private:
    struct Entry {
        int64_t index;
        std::list<uint64_t>::iterator lru;
    };
    uint8_t* at(int64_t i) { return data_.get() + static_cast<size_t>(i * bytes_); }

    int64_t capacity_, conv_floats_, ssm_floats_, bytes_;
    SnapshotRounding rounding_;
    std::unique_ptr<uint8_t[]> data_;
    std::vector<int64_t> free_;
    std::list<uint64_t> lru_;  // front = least recently used
    std::unordered_map<uint64_t, Entry> index_;
};

}  // namespace hy
