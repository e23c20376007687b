// Storage dtypes of weights and their scalar conversions. Block-quantised types (Q8_0, Q4_0, Q4_K,
// Q6_K) store `block_elems` values in `block_bytes` bytes; see model/dequant.h for their layouts.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace hy {

enum class DType : uint8_t { F32, F16, BF16, F8_E4M3, Q8_0, Q4_0, Q4_K, Q6_K, I8, I16, I32, I64, F64, U8, BOOL };

struct DTypeInfo {
    const char* name;
    int block_elems;  // 1 for scalar types
    int block_bytes;  // bytes per block (= element size for scalar types)
};

const DTypeInfo& dtype_info(DType t);
inline const char* dtype_name(DType t) { return dtype_info(t).name; }
// Bytes for `n` elements; n must be a multiple of the block size (callers check with dtype_row_ok).
inline uint64_t dtype_bytes(DType t, uint64_t n) {
    const auto& i = dtype_info(t);
    return n / static_cast<uint64_t>(i.block_elems) * static_cast<uint64_t>(i.block_bytes);
}
inline bool dtype_row_ok(DType t, uint64_t row_elems) { return row_elems % dtype_info(t).block_elems == 0; }

inline float bf16_to_f32(uint16_t h) {
    uint32_t bits = static_cast<uint32_t>(h) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}
// Round to nearest even, NaN stays NaN (same as PyTorch / llama.cpp).
inline uint16_t f32_to_bf16(float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x40);
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return static_cast<uint16_t>(bits >> 16);
}
float f16_to_f32(uint16_t h);
uint16_t f32_to_f16(float f);
float f8e4m3_to_f32(uint8_t v);

}  // namespace hy
