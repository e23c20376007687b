// Conversion of stored weights to fp32, and the ggml block formats (layouts identical to ggml's).
//
//   Q8_0  (32 values, 34 bytes): fp16 d; int8 q[32]                     x[i] = d * q[i]
//   Q4_0  (32 values, 18 bytes): fp16 d; u8 qs[16]                      x[i] = d * (nib - 8), where
//         element i < 16 is the low nibble of qs[i] and element 16 + i the high nibble of qs[i]
//   Q4_K  (256 values, 144 bytes): fp16 d; fp16 dmin; u8 scales[12]; u8 qs[128]
//         8 sub-blocks of 32 values, each with a 6-bit scale sc[j] and a 6-bit min m[j] packed in
//         `scales`: j < 4: sc = scales[j] & 63, m = scales[j+4] & 63; j >= 4: sc = (scales[j+4] & 15) |
//         ((scales[j-4] >> 6) << 4), m = (scales[j+4] >> 4) | ((scales[j] >> 6) << 4).
//         Sub-blocks 2c and 2c+1 share qs[32c .. 32c+31]: low nibbles -> sub-block 2c, high -> 2c+1.
//         x = d * sc[j] * nib - dmin * m[j]
//   Q6_K  (256 values, 210 bytes): u8 ql[128]; u8 qh[64]; int8 scales[16]; fp16 d
//         two halves of 128 values; in half h (ql += 64h, qh += 32h, sc += 8h), for l < 32:
//         q(l)    = (ql[l]    & 15) | ((qh[l] >> 0 & 3) << 4), scale sc[l/16]
//         q(l+32) = (ql[l+32] & 15) | ((qh[l] >> 2 & 3) << 4), scale sc[l/16 + 2]
//         q(l+64) = (ql[l]    >> 4) | ((qh[l] >> 4 & 3) << 4), scale sc[l/16 + 4]
//         q(l+96) = (ql[l+32] >> 4) | ((qh[l] >> 6 & 3) << 4), scale sc[l/16 + 6]
//         x = d * scale * (q - 32)
#pragma once

#include <cstdint>
#include <vector>

#include "core/dtype.h"
#include "model/tensor.h"

namespace hy {

struct BlockQ8_0 {
    uint16_t d;  // fp16
    int8_t qs[32];
};
struct BlockQ4_0 {
    uint16_t d;  // fp16
    uint8_t qs[16];
};
struct BlockQ4_K {
    uint16_t d;     // fp16 super-block scale for the scales
    uint16_t dmin;  // fp16 super-block scale for the mins
    uint8_t scales[12];
    uint8_t qs[128];
};
struct BlockQ6_K {
    uint8_t ql[128];
    uint8_t qh[64];
    int8_t scales[16];
    uint16_t d;  // fp16
};
static_assert(sizeof(BlockQ8_0) == 34 && sizeof(BlockQ4_0) == 18);
static_assert(sizeof(BlockQ4_K) == 144 && sizeof(BlockQ6_K) == 210);

// Converts `n` stored values at `src` to fp32. Supports every DType: F32, F16, BF16, F8_E4M3 (the
// per-tensor scale is the caller's job), Q8_0, Q4_0, Q4_K, Q6_K, and the integer/F64/BOOL types
// (converted by value). For block types `n` must be a multiple of the block size (HY_ASSERT).
// `src` needs no particular alignment.
void dequantize_row(DType t, const uint8_t* src, float* dst, int64_t n);

// The whole tensor as fp32 in its stored (row-major) order, multiplied by t.scale when it is not 1.
std::vector<float> tensor_to_f32(const TensorView& t);

// Round-to-nearest quantisers, as ggml's reference quantize_row_*_ref. `n` must be a multiple of 32 and
// every value finite; dst receives n/32 blocks.
void quantize_row_q8_0(const float* src, uint8_t* dst, int64_t n);
void quantize_row_q4_0(const float* src, uint8_t* dst, int64_t n);

}  // namespace hy
