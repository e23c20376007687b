#include "engine/mamba_snapshot_store.h"

#include <cmath>
#include <cstring>

#include "core/dtype.h"
#include "core/error.h"
#include "engine/block_hash.h"
#include "engine/philox.h"

namespace hy {

SsmCacheDtype parse_ssm_cache_dtype(const std::string& name) {
    if (name == "float32" || name == "auto") return SsmCacheDtype::FLOAT32;
    if (name == "float16" || name == "half") return SsmCacheDtype::FLOAT16;
    if (name == "bfloat16") return SsmCacheDtype::BFLOAT16;
    throw Error("--mamba-ssm-cache-dtype: expected float32, float16 or bfloat16, got \"" + name + "\"");
}

const char* ssm_cache_dtype_name(SsmCacheDtype d) {
    switch (d) {
        case SsmCacheDtype::FLOAT16:
            return "float16";
        case SsmCacheDtype::BFLOAT16:
            return "bfloat16";
        case SsmCacheDtype::FLOAT32:
            break;
    }
    return "float32";
}

int64_t ssm_dtype_bytes(SsmCacheDtype d) {
    return d == SsmCacheDtype::FLOAT32 ? 4 : 2;
}

namespace {

// Stochastic rounding to a 16-bit format: of the two representable neighbours lo ≤ x ≤ hi, hi is
// chosen with probability (x − lo)/(hi − lo), so the stored value is unbiased (E[stored] = x).
template <class ToF, class FromF>
uint16_t round_stochastic(float x, uint32_t u, ToF to_f32, FromF nearest) {
    if (!std::isfinite(x)) return nearest(x);
    const uint16_t n = nearest(x);
    const float fn = to_f32(n);
    if (fn == x || !std::isfinite(fn)) return n;
    // The other neighbour: one step away from fn towards x (sign-magnitude encoding).
    const bool up_in_magnitude = std::fabs(x) > std::fabs(fn);
    uint16_t other;
    if ((n & 0x7FFF) == 0 && !up_in_magnitude) return n;
    if ((n & 0x7FFF) == 0)
        other = static_cast<uint16_t>((x < 0 ? 0x8000 : 0) | 1);
    else
        other = static_cast<uint16_t>(up_in_magnitude ? n + 1 : n - 1);
    const float fo = to_f32(other);
    if (!std::isfinite(fo)) return n;
    const double p = (static_cast<double>(x) - fn) / (static_cast<double>(fo) - fn);  // in (0, 0.5]
    const double draw = (static_cast<double>(u) + 0.5) / 4294967296.0;
    return draw < p ? other : n;
}

}  // namespace

void store_ssm(const float* src, int64_t n, void* dst, const SnapshotRounding& r, uint64_t stream) {
    if (r.dtype == SsmCacheDtype::FLOAT32) {
        std::memcpy(dst, src, static_cast<size_t>(n) * 4);
        return;
    }
    auto* out = static_cast<uint16_t*>(dst);
    const bool bf = r.dtype == SsmCacheDtype::BFLOAT16;
    auto nearest = [bf](float x) { return bf ? f32_to_bf16(x) : f32_to_f16(x); };
    auto to_f32 = [bf](uint16_t h) { return bf ? bf16_to_f32(h) : f16_to_f32(h); };
    if (!r.stochastic) {
        for (int64_t i = 0; i < n; ++i) out[i] = nearest(src[i]);
        return;
    }
    const std::array<uint32_t, 2> key = {static_cast<uint32_t>(r.seed), static_cast<uint32_t>(r.seed >> 32)};
    for (int64_t i = 0; i < n; i += 4) {
        const uint64_t block = static_cast<uint64_t>(i / 4);
        const auto bits = philox4x32({static_cast<uint32_t>(block), static_cast<uint32_t>(block >> 32),
                                      static_cast<uint32_t>(stream), static_cast<uint32_t>(stream >> 32)},
                                     key, r.philox_rounds);
        for (int64_t j = 0; j < 4 && i + j < n; ++j)
            out[i + j] = round_stochastic(src[i + j], bits[static_cast<size_t>(j)], to_f32, nearest);
    }
}

void load_ssm(const void* src, int64_t n, float* dst, SsmCacheDtype dtype) {
    if (dtype == SsmCacheDtype::FLOAT32) {
        std::memcpy(dst, src, static_cast<size_t>(n) * 4);
        return;
    }
    const auto* in = static_cast<const uint16_t*>(src);
    if (dtype == SsmCacheDtype::BFLOAT16)
        for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_f32(in[i]);
    else
        for (int64_t i = 0; i < n; ++i) dst[i] = f16_to_f32(in[i]);
}

uint64_t tail_key(uint64_t parent, const std::vector<int32_t>& tokens) {
    return hash_mix(block_hash(parent, tokens) ^ 0x7A11'5EED'0000'0001ull);
}

MambaSnapshotStore::MambaSnapshotStore(int64_t capacity, int64_t conv_floats, int64_t ssm_floats,
                                       SnapshotRounding rounding)
    : capacity_(capacity),
      conv_floats_(conv_floats),
      ssm_floats_(ssm_floats),
      bytes_(bytes_per_snapshot(conv_floats, ssm_floats, rounding.dtype)),
      rounding_(rounding),
      data_(new uint8_t[std::max<size_t>(1, static_cast<size_t>(capacity * bytes_))]) {
    for (int64_t i = capacity - 1; i >= 0; --i) free_.push_back(i);
}

void MambaSnapshotStore::evict_lru() {
    const uint64_t victim = lru_.front();
    lru_.pop_front();
    auto it = index_.find(victim);
    free_.push_back(it->second.index);
    used_bytes_ -= bytes_ + static_cast<int64_t>(it->second.tail.bytes());
    if (!it->second.tail.tokens.empty()) {
        auto [lo, hi] = tails_.equal_range(it->second.tail.parent);
        for (auto t = lo; t != hi; ++t)
            if (t->second == victim) {
                tails_.erase(t);
                break;
            }
    }
    index_.erase(it);
}

void MambaSnapshotStore::save(uint64_t key, const float* slot, SnapshotTail tail) {
    auto it = index_.find(key);
    if (it != index_.end()) {  // same prefix, same state: refresh its place in the LRU order only
        lru_.splice(lru_.end(), lru_, it->second.lru);
        return;
    }
    const int64_t need = bytes_ + static_cast<int64_t>(tail.bytes());
    if (capacity_ == 0 || need > budget_bytes()) return;
    while (free_.empty() || used_bytes_ + need > budget_bytes()) evict_lru();
    const int64_t i = free_.back();
    free_.pop_back();
    std::memcpy(at(i), slot, static_cast<size_t>(conv_floats_) * 4);
    store_ssm(slot + conv_floats_, ssm_floats_, at(i) + conv_floats_ * 4, rounding_, key);
    lru_.push_back(key);
    used_bytes_ += need;
    if (!tail.tokens.empty()) tails_.emplace(tail.parent, key);
    index_.emplace(key, Entry{i, std::prev(lru_.end()), std::move(tail)});
}

bool MambaSnapshotStore::restore(uint64_t key, float* slot) {
    auto it = index_.find(key);
    if (it == index_.end()) return false;
    lru_.splice(lru_.end(), lru_, it->second.lru);
    const uint8_t* p = at(it->second.index);
    std::memcpy(slot, p, static_cast<size_t>(conv_floats_) * 4);
    load_ssm(p + conv_floats_ * 4, ssm_floats_, slot + conv_floats_, rounding_.dtype);
    return true;
}

const SnapshotTail* MambaSnapshotStore::tail(uint64_t key) const {
    auto it = index_.find(key);
    return it == index_.end() || it->second.tail.tokens.empty() ? nullptr : &it->second.tail;
}

std::vector<uint64_t> MambaSnapshotStore::tails_after(uint64_t parent) const {
    std::vector<uint64_t> keys;
    auto [lo, hi] = tails_.equal_range(parent);
    for (auto t = lo; t != hi; ++t) keys.push_back(t->second);
    return keys;
}

void MambaSnapshotStore::clear() {
    for (const auto& [k, e] : index_) free_.push_back(e.index);
    index_.clear();
    lru_.clear();
    tails_.clear();
    used_bytes_ = 0;
}

}  // namespace hy
