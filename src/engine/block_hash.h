// Content addresses for prefix caching (issue 6 "Prefix caching"): block i of a token sequence is
// named by a hash chained over the previous block's hash and its own tokens, so equal hashes mean equal
// whole prefixes. The chain starts from the request's cache_salt (vLLM's cache isolation): requests
// with different salts never share blocks or Mamba snapshots.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace hy {

inline uint64_t hash_mix(uint64_t x) {  // SplitMix64 finaliser
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

inline uint64_t chain_root(std::string_view cache_salt) {
    uint64_t h = 0xCBF29CE484222325ull;  // FNV-1a over the salt, then mixed
    for (unsigned char c : cache_salt) h = (h ^ c) * 0x100000001B3ull;
    return hash_mix(h + cache_salt.size());
}

inline uint64_t block_hash(uint64_t parent, std::span<const int32_t> tokens) {
    uint64_t h = hash_mix(parent ^ 0x9E3779B97F4A7C15ull);
    for (int32_t t : tokens) h = hash_mix(h + static_cast<uint32_t>(t) + 0x9E3779B97F4A7C15ull);
    return h;
}

}  // namespace hy
