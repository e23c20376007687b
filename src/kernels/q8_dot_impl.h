// Vector bodies shared by the AVX2 and AVX-512 copies of the Q8_0 x Q8 kernels (q8_dot.h): the
// quantiser and the weight-stationary GEMV over the stored Q8_0 rows. Include only from
// q8_dot_avx2.cpp / q8_dot_avx512.cpp (compiled with AVX2 at least); internal linkage throughout.
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <cfloat>
#include <cstring>

#include "kernels/q8_dot.h"

namespace hy::kernels {
namespace {

constexpr int64_t kQ8BlockBytes = 2 + kQ8Block;  // {f16 d; int8 q[32]}
// Up to this many tokens each token reads the stored rows directly (decode); more go through the
// ISA's GEMM (matmul.cpp uses the same threshold for the other dtypes).
constexpr int64_t kQ8GemvTokens = 4;

inline uint16_t rd16(const uint8_t* p) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return h;
}
inline __m256i loadu256(const void* p) {
    return _mm256_loadu_si256(static_cast<const __m256i*>(p));
}

// The scalar reference's arithmetic (q8_dot.cpp) eight lanes at a time: max is order-free, the
// scale and its inverse are the same scalar operations, cvtps2dq rounds to nearest even.
void quantize_avx2(const float* x, int64_t n, int8_t* q, float* d, int32_t* corr) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (int64_t b = 0; b < n / kQ8Block; ++b, x += kQ8Block, q += kQ8Block) {
        __m256 v[4], m = _mm256_setzero_ps();
        for (int k = 0; k < 4; ++k) {
            v[k] = _mm256_loadu_ps(x + 8 * k);
            m = _mm256_max_ps(_mm256_andnot_ps(sign, v[k]), m);  // a NaN lane keeps m, as the scalar
        }
        __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
        m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
        float db = _mm_cvtss_f32(m4) / 127.0f;
        if (!(db >= FLT_MIN)) db = 0.0f;
        const __m256 id = _mm256_set1_ps(db != 0.0f ? 1.0f / db : 0.0f);
        __m256i i[4];
        for (int k = 0; k < 4; ++k) i[k] = _mm256_cvtps_epi32(_mm256_mul_ps(v[k], id));
        // Sum of the 32 values (exact in int32), then pack to int8: packs interleave 128-bit lanes,
        // the permute puts the dwords back in order.
        __m256i s = _mm256_add_epi32(_mm256_add_epi32(i[0], i[1]), _mm256_add_epi32(i[2], i[3]));
        __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
        s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4e));
        s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xb1));
        const __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(i[0], i[1]), _mm256_packs_epi32(i[2], i[3]));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(q),
                            _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
        d[b] = db;
        corr[b] = -128 * _mm_cvtsi128_si32(s4);
    }
}

constexpr int64_t kPrefetchRows = 8;  // gemv_rows' software prefetch distance

// y[r] for r < rows, token t: four rows per pass share each load of the token's block. Dot(w, x, c)
// returns eight int32 lanes that sum to c's lane sum + Σ_j w_j·x_j over one block; three hadds
// reduce the four rows' lanes to [I_0 I_1 I_2 I_3] (exact), then one fp32 FMA per row and block.
// Rows past the end repeat the last row (their results are dropped).
template <class Dot>
inline void gemv_rows(Dot dot, const uint8_t* w, int64_t row_bytes, int64_t rows, const Q8Acts& a, int64_t t,
                      float* y) {
    const int64_t nb = a.n / kQ8Block;
    const int8_t* xq = a.q + t * a.n;
    const float* dx = a.d + t * nb;
    const int32_t* cr = a.corr + t * nb;
    for (int64_t r = 0; r < rows; r += 4) {
        const uint8_t* p0 = w + r * row_bytes;
        const uint8_t* p1 = w + std::min(r + 1, rows - 1) * row_bytes;
        const uint8_t* p2 = w + std::min(r + 2, rows - 1) * row_bytes;
        const uint8_t* p3 = w + std::min(r + 3, rows - 1) * row_bytes;
        __m128 acc = _mm_setzero_ps();
        for (int64_t b = 0, o = 0; b < nb; ++b, o += kQ8BlockBytes) {
            const __m256i xv = loadu256(xq + kQ8Block * b);
            // The four rows are one contiguous 4·row_bytes stretch; fetch the stretch 8 rows ahead at
            // the same pace (136 bytes per block). Without this a thread streamed ~4 GB/s here, with
            // it ~22 GB/s (single thread, 71 MB matrix): the hardware prefetcher alone falls behind.
            // (Integer address arithmetic: the stretch may lie past the matrix, where a prefetch is
            // harmless.)
            const uintptr_t ahead = reinterpret_cast<uintptr_t>(p0) + kPrefetchRows * row_bytes + 4 * o;
            for (uintptr_t l = 0; l < 3; ++l)
                _mm_prefetch(reinterpret_cast<const char*>(ahead + 64 * l), _MM_HINT_T0);
            const __m256i c = _mm256_setr_epi32(cr[b], 0, 0, 0, 0, 0, 0, 0);
            const __m256i i0 = dot(loadu256(p0 + o + 2), xv, c), i1 = dot(loadu256(p1 + o + 2), xv, c),
                          i2 = dot(loadu256(p2 + o + 2), xv, c), i3 = dot(loadu256(p3 + o + 2), xv, c);
            const __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(i0, i1), _mm256_hadd_epi32(i2, i3));
            const __m128i I = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
            const __m128 dw = _mm_cvtph_ps(_mm_setr_epi16(
                static_cast<short>(rd16(p0 + o)), static_cast<short>(rd16(p1 + o)),
                static_cast<short>(rd16(p2 + o)), static_cast<short>(rd16(p3 + o)), 0, 0, 0, 0));
            acc = _mm_fmadd_ps(_mm_cvtepi32_ps(I), _mm_mul_ps(dw, _mm_set1_ps(dx[b])), acc);
        }
        float out[4];
        _mm_storeu_ps(out, acc);
        for (int64_t k = 0; k < 4 && r + k < rows; ++k) y[r + k] = out[k];
    }
}

// Every token through gemv_rows, 16 rows at a time so a few tokens reuse the rows from L1.
template <class Dot>
inline void matmul_by_rows(Dot dot, const uint8_t* w, int64_t row_bytes, int64_t rows, const Q8Acts& a,
                           float* y, int64_t ldy) {
    for (int64_t r0 = 0; r0 < rows; r0 += 16) {
        const int64_t nr = std::min<int64_t>(16, rows - r0);
        for (int64_t t = 0; t < a.T; ++t)
            gemv_rows(dot, w + r0 * row_bytes, row_bytes, nr, a, t, y + t * ldy + r0);
    }
}

}  // namespace
}  // namespace hy::kernels
