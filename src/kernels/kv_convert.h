// Narrow K/V cache storage (--kv-cache-dtype, issue 6 "Memory"): fp32 rows in, bf16 or fp8 rows out.
//
// bf16: round to nearest even (core/dtype.h f32_to_bf16), NaN stays NaN.
// fp8:  e4m3fn (4 exponent bits, bias 7, 3 mantissa bits, no infinity, 0x7f/0xff = NaN, max 448),
//       round to nearest even, saturating (|x| > 448 and ±inf become ±448; NaN stays NaN). Each token
//       row carries one scale per KV head, a power of two 2^e stored as an int8 exponent e, chosen so
//       that the head's largest |value| maps into [224, 448]. Why per token and head rather than per
//       block: a block is filled one token at a time, so a per-block scale would have to be rewritten
//       (and every earlier row re-quantised) whenever a later token is larger; a token's own scale is
//       final when it is written, and prefix-cache blocks shared between sequences stay immutable.
//       Why a power of two: e4m3 is a floating format, so its relative precision (2^-4) does not depend
//       on where the largest value lands within a binade; a pow2 scale only sets the range, costs one
//       byte instead of four (33 bytes per 32-wide head instead of 36: 3.9× smaller than fp32, not
//       3.6×) and is exact to apply.
#pragma once

#include <cstdint>

#include "kernels/attention.h"

namespace hy::kernels {

uint8_t f32_to_e4m3(float x);  // RNE, saturating, NaN → 0x7f (sign kept)
float e4m3_to_f32(uint8_t v);  // exact; 0x7f / 0xff → NaN

// Scale exponent for a head whose largest |value| is amax (0 for amax 0 or non-finite amax).
int8_t fp8_scale_exponent(float amax);

// One token's row of Hkv heads × dh fp32 values → kv_row_bytes(d, Hkv, dh) bytes at dst.
void encode_kv_row(KvDtype d, const float* src, int64_t Hkv, int64_t dh, uint8_t* dst);
// Head g of such a row → dh fp32 values (scalar; the attention kernel has its own vector copy).
void decode_kv_head(KvDtype d, const uint8_t* row, int64_t Hkv, int64_t dh, int64_t g, float* out);

// n consecutive fp8 rows (row_bytes apart) → bf16 rows of Hkv·dh elements, a bfloat16 cache's row layout.
// Exact: an e4m3 value times its power-of-two scale has at most 4 significant bits (a scale that would
// take it out of bf16's normal range gives the upper half of decode_kv_head's fp32 value). AVX-512 CPUs
// only (isa_supported(Isa::AVX512)); attention_batch widens fp8 prompt histories with it.
void widen_fp8_rows_bf16_avx512(const uint8_t* first, int64_t row_bytes, int64_t n, int64_t Hkv, int64_t dh,
                                uint16_t* out);

}  // namespace hy::kernels
