// AVX-512 BF16 kernels of the bf16-activation route (bf16_matmul.h).
//
// Layout: 16 weight rows form a panel, repacked once per call (into a per-thread buffer) so that one
// zmm holds the pair {w[r][2i], w[r][2i+1]} of each row r as one dword: a token's pair {x_2i, x_2i+1}
// broadcast as one dword then advances all 16 rows by two products with one `vdpbf16ps`, and each
// lane accumulates one output, so no horizontal sums are needed. The repack is a 16x16 dword transpose
// in registers (16 pairs of 16 rows per step). The tile is up to 8 tokens x 2 panels (16 accumulators,
// 2 panel loads per 16 vdpbf16ps, the token pairs broadcast from memory).
// Decode (T <= 4) skips the packed copy: each 16x16 transpose feeds vdpbf16ps straight from registers
// (the same per-output sequence of pairs, so the same bits), and the rows are prefetched ahead.
#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/bf16_matmul.h"

// GCC 12 reports the deliberately undefined pass-through operand inside avx512fintrin.h's unpack
// intrinsics as "may be used uninitialized" (as in q8_dot_avx512.cpp), and at -O1 (the sanitizer
// build) as "is used uninitialized".
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

namespace hy::kernels {

namespace {

constexpr int64_t kPanelRows = 16;
// Software prefetch distance in 64-byte lines per row (the hardware prefetchers track few of the 16
// row streams a panel reads at once).
constexpr int64_t kAheadLines = 8;

// Scalar round to nearest even for the tails (core/dtype.h's f32_to_bf16, kept local: an inline
// function compiled here with AVX-512 flags must not be the copy the linker gives baseline code).
inline uint32_t round_bf16(float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (bits >> 16) | 0x40u;
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return bits >> 16;
}

inline __m512bh as_bh(__m512i v) {
    __m512bh r;
    std::memcpy(&r, &v, sizeof r);
    return r;
}

// z[k] = pair k (elements 2k, 2k+1 from column `col`) of the 16 rows: a 16x16 dword transpose.
inline void transpose16(const uint16_t* const* row, int64_t col, __m512i* z) {
    __m512i t[16];
    for (int i = 0; i < 16; ++i) z[i] = _mm512_loadu_si512(row[i] + col);
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_epi32(z[i], z[i + 1]);
        t[i + 1] = _mm512_unpackhi_epi32(z[i], z[i + 1]);
    }
    // t[4g + c], 128-bit lane L: dword 4L + c of rows 4g .. 4g+3.
    for (int g = 0; g < 16; g += 4) {
        __m512i u0 = _mm512_unpacklo_epi64(t[g], t[g + 2]), u1 = _mm512_unpackhi_epi64(t[g], t[g + 2]),
                u2 = _mm512_unpacklo_epi64(t[g + 1], t[g + 3]),
                u3 = _mm512_unpackhi_epi64(t[g + 1], t[g + 3]);
        t[g] = u0;
        t[g + 1] = u1;
        t[g + 2] = u2;
        t[g + 3] = u3;
    }
    // Lane L of dword k = 4L + c comes from t[c], t[4 + c], t[8 + c], t[12 + c], each at lane L.
    for (int c = 0; c < 4; ++c) {
        const __m512i a_lo = _mm512_shuffle_i32x4(t[c], t[4 + c], 0x44),
                      a_hi = _mm512_shuffle_i32x4(t[c], t[4 + c], 0xEE),
                      b_lo = _mm512_shuffle_i32x4(t[8 + c], t[12 + c], 0x44),
                      b_hi = _mm512_shuffle_i32x4(t[8 + c], t[12 + c], 0xEE);
        z[c] = _mm512_shuffle_i32x4(a_lo, b_lo, 0x88);
        z[4 + c] = _mm512_shuffle_i32x4(a_lo, b_lo, 0xDD);
        z[8 + c] = _mm512_shuffle_i32x4(a_hi, b_hi, 0x88);
        z[12 + c] = _mm512_shuffle_i32x4(a_hi, b_hi, 0xDD);
    }
}

// The pairs from column i0 on (fewer than 16), scalar; an odd n's last pair gets +0 high.
inline void pack_tail(const uint16_t* const* row, int64_t i0, int64_t n, uint32_t* out) {
    for (int64_t i = i0; i < n; i += 2, out += 16)
        for (int r = 0; r < kPanelRows; ++r) {
            const uint32_t hi = i + 1 < n ? row[r][i + 1] : 0u;
            out[r] = row[r][i] | hi << 16;
        }
}

// Rows [0, nr) of the stored matrix (ldw elements apart, n columns) into the panel layout: pair i of
// row r at out[16 * i + r]. Rows past nr repeat the last one (their outputs are never stored); an odd
// n's last pair has +0 in its high half, matching the activations.
void pack_panel(const uint16_t* w, int64_t ldw, int64_t nr, int64_t n, uint32_t* out) {
    const uint16_t* row[kPanelRows];
    for (int64_t i = 0; i < kPanelRows; ++i) row[i] = w + std::min(i, nr - 1) * ldw;
    const int64_t full = n / 32;  // 16 whole pairs per row at a time
    for (int64_t c = 0; c < full; ++c, out += 256) {
        // 16 row streams at once (an expert's rows come from memory once per call): prefetch ahead in
        // each, as decode does.
        if (c + kAheadLines < full)
            for (int i = 0; i < kPanelRows; ++i)
                _mm_prefetch(reinterpret_cast<const char*>(row[i] + 32 * (c + kAheadLines)), _MM_HINT_T0);
        __m512i z[16];
        transpose16(row, 32 * c, z);
        for (int k = 0; k < 16; ++k) _mm512_storeu_si512(out + 16 * k, z[k]);
    }
    pack_tail(row, 32 * full, n, out);
}

// NT tokens x NP consecutive panels (pk: panel p at pk + p * 16 * pairs); y points at row 0, token 0.
template <int NT, int NP>
void tile(const uint32_t* pk, const Bf16Acts& a, int64_t t0, float* y, int64_t ldy, const __mmask16* mask) {
    const int64_t pairs = a.pairs;
    __m512 acc[NT][NP];
    for (int t = 0; t < NT; ++t)
        for (int p = 0; p < NP; ++p) acc[t][p] = _mm512_setzero_ps();
    const uint32_t* x = a.x + t0 * pairs;
    for (int64_t i = 0; i < pairs; ++i) {
        __m512bh w[NP];
        for (int p = 0; p < NP; ++p) w[p] = as_bh(_mm512_loadu_si512(pk + p * kPanelRows * pairs + 16 * i));
        for (int t = 0; t < NT; ++t) {
            const __m512bh xb = as_bh(_mm512_set1_epi32(static_cast<int>(x[t * pairs + i])));
            for (int p = 0; p < NP; ++p) acc[t][p] = _mm512_dpbf16_ps(acc[t][p], w[p], xb);
        }
    }
    for (int t = 0; t < NT; ++t)
        for (int p = 0; p < NP; ++p) _mm512_mask_storeu_ps(y + t * ldy + p * kPanelRows, mask[p], acc[t][p]);
}

template <int NP>
void tokens(const uint32_t* pk, const Bf16Acts& a, float* y, int64_t ldy, const __mmask16* mask) {
    int64_t t = 0;
    for (; t + 8 <= a.T; t += 8) tile<8, NP>(pk, a, t, y + t * ldy, ldy, mask);
    float* yt = y + t * ldy;
    switch (a.T - t) {
        case 7:
            return tile<7, NP>(pk, a, t, yt, ldy, mask);
        case 6:
            return tile<6, NP>(pk, a, t, yt, ldy, mask);
        case 5:
            return tile<5, NP>(pk, a, t, yt, ldy, mask);
        case 4:
            return tile<4, NP>(pk, a, t, yt, ldy, mask);
        case 3:
            return tile<3, NP>(pk, a, t, yt, ldy, mask);
        case 2:
            return tile<2, NP>(pk, a, t, yt, ldy, mask);
        case 1:
            return tile<1, NP>(pk, a, t, yt, ldy, mask);
        default:
            return;
    }
}

// Decode: NT <= 4 tokens x the 16 rows at w (rows past nr repeat the last), transposed in registers
// and consumed at once. Prefetch runs kAheadLines ahead in each row, on into the next panel's rows
// when `next` (they belong to this call).

template <int NT>
void decode_panel(const uint16_t* w, int64_t ldw, int64_t nr, bool next, const Bf16Acts& a, float* y,
                  int64_t ldy) {
    const uint16_t* row[kPanelRows];
    for (int64_t i = 0; i < kPanelRows; ++i) row[i] = w + std::min(i, nr - 1) * ldw;
    const int64_t n = a.n, full = n / 32, pairs = a.pairs;
    __m512 acc[NT];
    for (int t = 0; t < NT; ++t) acc[t] = _mm512_setzero_ps();
    const auto step = [&](const __m512i& wv, int64_t i) {
        const __m512bh wb = as_bh(wv);
        for (int t = 0; t < NT; ++t)
            acc[t] =
                _mm512_dpbf16_ps(acc[t], wb, as_bh(_mm512_set1_epi32(static_cast<int>(a.x[t * pairs + i]))));
    };
    for (int64_t c = 0; c < full; ++c) {
        const int64_t ahead = c + kAheadLines;
        if (ahead < full) {
            for (int i = 0; i < kPanelRows; ++i)
                _mm_prefetch(reinterpret_cast<const char*>(row[i] + 32 * ahead), _MM_HINT_T0);
        } else if (next) {
            for (int i = 0; i < kPanelRows; ++i)
                _mm_prefetch(reinterpret_cast<const char*>(w + (kPanelRows + i) * ldw + 32 * (ahead - full)),
                             _MM_HINT_T0);
        }
        __m512i z[16];
        transpose16(row, 32 * c, z);
        for (int k = 0; k < 16; ++k) step(z[k], 16 * c + k);
    }
    if (32 * full < n) {
        alignas(64) uint32_t tail[16 * 16];
        pack_tail(row, 32 * full, n, tail);
        for (int64_t i = 16 * full; i < pairs; ++i) step(_mm512_load_si512(tail + 16 * (i - 16 * full)), i);
    }
    const __mmask16 m =
        nr >= kPanelRows ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << nr) - 1);
    for (int t = 0; t < NT; ++t) _mm512_mask_storeu_ps(y + t * ldy, m, acc[t]);
}

template <int NT>
void decode(const uint16_t* w, int64_t ldw, int64_t rows, const Bf16Acts& a, float* y, int64_t ldy) {
    for (int64_t r0 = 0; r0 < rows; r0 += kPanelRows)
        decode_panel<NT>(w + r0 * ldw, ldw, std::min(kPanelRows, rows - r0), r0 + 2 * kPanelRows <= rows, a,
                         y + r0, ldy);
}

// Decode from panels stored packed (pack_bf16_panels_in_place): the lines of consecutive panels are one
// sequential stream, prefetched kPackedAheadLines ahead. Each output takes the pairs in the order
// decode_panel gives them, so the bits are the same. Packed weights sit where the file put the tensor
// (GGUF aligns data to 32 bytes), hence the unaligned loads here and in `tile`.
constexpr int64_t kPackedAheadLines = 32;

template <int NT>
void decode_packed(const uint32_t* pk, int64_t panels, const Bf16Acts& a, float* y, int64_t ldy) {
    const int64_t pairs = a.pairs;
    const uint32_t* const end = pk + panels * kPanelRows * pairs;
    for (; pk < end; pk += kPanelRows * pairs, y += kPanelRows) {
        __m512 acc[NT];
        for (int t = 0; t < NT; ++t) acc[t] = _mm512_setzero_ps();
        for (int64_t i = 0; i < pairs; ++i) {
            const uint32_t* ahead = pk + 16 * (i + kPackedAheadLines);
            if (ahead < end) _mm_prefetch(reinterpret_cast<const char*>(ahead), _MM_HINT_T0);
            const __m512bh wb = as_bh(_mm512_loadu_si512(pk + 16 * i));
            for (int t = 0; t < NT; ++t)
                acc[t] = _mm512_dpbf16_ps(acc[t], wb,
                                          as_bh(_mm512_set1_epi32(static_cast<int>(a.x[t * pairs + i]))));
        }
        for (int t = 0; t < NT; ++t) _mm512_storeu_ps(y + t * ldy, acc[t]);
    }
}

// One 64-byte line of a panel (a type of this file only, so its std::vector code is this file's own).
struct alignas(64) Line {
    uint32_t v[16];
};

inline __mmask16 rows_mask(int64_t nr) {
    return nr >= kPanelRows ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << nr) - 1);
}

}  // namespace

void bf16_round_pairs(const float* x, int64_t n, uint32_t* out) {
    int64_t i = 0;
    // vcvtne2ps2bf16 rounds to nearest even (denormal inputs flush to zero); dst's low 16 elements
    // come from the second operand, so the 32 bf16 stay in order: pair j = elements 2j, 2j+1.
    for (; i + 32 <= n; i += 32) {
        const __m512bh v = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(x + i + 16), _mm512_loadu_ps(x + i));
        __m512i bits;
        std::memcpy(&bits, &v, sizeof bits);
        _mm512_storeu_si512(out + i / 2, bits);
    }
    for (; i < n; i += 2) {
        const uint32_t hi = i + 1 < n ? round_bf16(x[i + 1]) : 0u;
        out[i / 2] = round_bf16(x[i]) | hi << 16;
    }
}

void bf16_dot_matmul(const uint16_t* w, int64_t ldw, int64_t rows, const Bf16Acts& a, float* y, int64_t ldy) {
    if (rows <= 0 || a.T <= 0) return;
    switch (a.T) {
        case 1:
            return decode<1>(w, ldw, rows, a, y, ldy);
        case 2:
            return decode<2>(w, ldw, rows, a, y, ldy);
        case 3:
            return decode<3>(w, ldw, rows, a, y, ldy);
        case 4:
            return decode<4>(w, ldw, rows, a, y, ldy);
        default:
            break;
    }
    // Per-thread panel buffer for two panels (pool threads are persistent: grows only for a wider
    // matrix); zmm elements keep it 64-byte aligned.
    thread_local std::vector<Line> buf;
    const size_t need = static_cast<size_t>(2 * a.pairs);  // 2 panels x pairs x 64 bytes
    if (buf.size() < need) buf.resize(need);
    uint32_t* pk = reinterpret_cast<uint32_t*>(buf.data());
    for (int64_t r0 = 0; r0 < rows; r0 += 2 * kPanelRows) {
        const int64_t nr = std::min(2 * kPanelRows, rows - r0);
        pack_panel(w + r0 * ldw, ldw, std::min(nr, kPanelRows), a.n, pk);
        if (nr > kPanelRows) {
            pack_panel(w + (r0 + kPanelRows) * ldw, ldw, nr - kPanelRows, a.n, pk + kPanelRows * a.pairs);
            const __mmask16 mask[2] = {rows_mask(kPanelRows), rows_mask(nr - kPanelRows)};
            tokens<2>(pk, a, y + r0, ldy, mask);
        } else {
            const __mmask16 mask[1] = {rows_mask(nr)};
            tokens<1>(pk, a, y + r0, ldy, mask);
        }
    }
}

void bf16_dot_matmul_panels(const uint32_t* pk, int64_t rows, const Bf16Acts& a, float* y, int64_t ldy) {
    if (rows <= 0 || a.T <= 0) return;
    const int64_t panels = rows / kPanelRows;
    switch (a.T) {
        case 1:
            return decode_packed<1>(pk, panels, a, y, ldy);
        case 2:
            return decode_packed<2>(pk, panels, a, y, ldy);
        case 3:
            return decode_packed<3>(pk, panels, a, y, ldy);
        case 4:
            return decode_packed<4>(pk, panels, a, y, ldy);
        default:
            break;
    }
    const __mmask16 full[2] = {rows_mask(kPanelRows), rows_mask(kPanelRows)};
    for (int64_t p = 0; p < panels; p += 2) {
        const uint32_t* at = pk + p * kPanelRows * a.pairs;
        if (p + 1 < panels)
            tokens<2>(at, a, y + p * kPanelRows, ldy, full);
        else
            tokens<1>(at, a, y + p * kPanelRows, ldy, full);
    }
}

void pack_bf16_panels_in_place(uint16_t* w, int64_t rows, int64_t n) {
    std::vector<uint16_t> rows16(static_cast<size_t>(kPanelRows * n));
    for (int64_t r0 = 0; r0 + kPanelRows <= rows; r0 += kPanelRows) {
        uint16_t* panel = w + r0 * n;
        std::memcpy(rows16.data(), panel, rows16.size() * sizeof(uint16_t));
        pack_panel(rows16.data(), n, kPanelRows, n, reinterpret_cast<uint32_t*>(panel));
    }
}

}  // namespace hy::kernels
