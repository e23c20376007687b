// attention_rows over a bfloat16 (or fp8, widened to bf16 per tile) K/V cache with `vdpbf16ps` (AVX-512
// BF16): the bf16 counterpart of bf16_matmul.h's route for BF16 weights. Included by attention_avx512.cpp;
// shares attention_impl.h's layout, online softmax and causal masking (L = 16 query vectors per lane group).
//
// Numerics: the queries (pre-scaled by log2 e / sqrt(dh)) and the softmax probabilities p are rounded
// to bf16 (round to nearest even) and meet the cached bf16 K and V in `vdpbf16ps`, which multiplies two
// bf16 pairs exactly into an fp32 lane:
//     S[j][q] = Σ over pairs i of d, in order: vdpbf16ps(acc, {q_2i, q_2i+1}, {k_j,2i, k_j,2i+1})
//     o[q][d] = o·corr + Σ over key pairs (j, j+1), in order:
//               vdpbf16ps(acc, {p_j, p_j+1}, {v_j[d], v_j+1[d]})
// The running max, the sum l (of the fp32 p) and the exp stay fp32, as in attention_impl.h. Rounding q
// and p moves a score or an output by ~2^-9 relative, the size of the error the bf16 cache already puts
// into K and V. Every lane runs this sequence whatever the other lanes hold, and the decode layout (the
// head dimensions in the lanes for P·V) computes the same per-lane operations with its operands swapped
// (the products are exact), so a row's output does not depend on how rows are batched. Half the
// multiply instructions of the fp32 kernel: a prefill's attention runs ~1.6x faster.
#pragma once

#include <immintrin.h>

#include "kernels/attention_impl.h"

#if !defined(__AVX512BF16__) || HY_ATTN_LANES != 16
#error "attention_bf16dot_impl.h needs AVX-512 BF16 and attention_impl.h with 16 lanes"
#endif

namespace hy::kernels {
namespace {

inline vf dot2(vf acc, __m512i a, __m512i b) {
    return (vf)_mm512_dpbf16_ps((__m512)acc, (__m512bh)a, (__m512bh)b);
}
inline __m512i bcast32(const void* p) {
    uint32_t u;
    std::memcpy(&u, p, 4);
    return _mm512_set1_epi32(static_cast<int>(u));
}
// fp32 → bf16, round to nearest even (NaN stays NaN), as vcvtneps2bf16 does.
inline uint32_t bf16_bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (u >> 16) | 0x40u;
    return (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
}

// 2^x for x <= 0 to ~7.5e-5 relative (a degree-3 near-minimax polynomial on [-1/2, 1/2], fitted like
// vec::kExp2Poly): the probabilities are rounded to bf16 (2^-9) before P·V, so vexp2's 3.9e-9 buys
// nothing here and costs three more FMAs per key and lane group. The running sum and the rescale
// factor use the same values, so the normalised output keeps only the rounding. Exactly 0 below -126
// (masked keys), as vexp2.
inline vf vexp2_coarse(vf x) {
    const __m512 v = (__m512)x;
    const __mmask16 under = _mm512_cmp_ps_mask(v, _mm512_set1_ps(-126.0f), _CMP_LT_OQ);
    const __m512 n = _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m512 r = _mm512_sub_ps(v, n);
    __m512 p = _mm512_set1_ps(5.5172409862e-02f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(2.4261121452e-01f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(6.9326084852e-01f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(9.9992805719e-01f));
    return (vf)_mm512_maskz_mov_ps(static_cast<__mmask16>(~under), _mm512_scalef_ps(p, n));
}

struct Bf16Scratch {
    std::vector<uint32_t> qT, p2, vp;
    std::vector<float> oT, m, l, nctx, s;
    std::vector<uint16_t> narrow;  // an FP8 tile's K and V rows of head g as bf16
    std::vector<const uint8_t*> kp, rows;
};

// One fp8 head (dh e4m3 bytes, scale 2^e) → dh bf16, straight from the bits. A normal e4m3 (exponent
// field E > 0, mantissa M) times 2^e is the bf16 with exponent field E + 120 + e and mantissa M << 4,
// i.e. (m << 4) + ((120 + e) << 7) for its 7 magnitude bits m; a subnormal M·2^-9·2^e is a table entry
// plus e << 7; m = 0x7f is NaN (unsigned, as decode_rows gives it). The exponent field stays in 1..254
// for e in [-117, 119]; false outside that (such rows take the fp32 route). The same bits as the upper
// half of decode_rows' fp32 value (kv_convert_test's Fp8WidensToBf16Exactly).
inline bool fp8_head_to_bf16(const uint8_t* src, int e, int64_t dh, uint16_t* out) {
    if (e < -117 || e > 119) return false;
    alignas(64) static const uint16_t subnormal[32] = {0,      0x3B00, 0x3B80, 0x3BC0,
                                                       0x3C00, 0x3C20, 0x3C40, 0x3C60};
    const __m512i table = _mm512_load_si512(subnormal);
    const __m512i bias = _mm512_set1_epi16(static_cast<int16_t>((120 + e) << 7));
    const __m512i shift = _mm512_set1_epi16(static_cast<int16_t>(e * 128));  // wraps mod 2^16 like the sum
    const __m512i mag = _mm512_set1_epi16(0x7f), eight = _mm512_set1_epi16(8);
    for (int64_t c = 0; c < dh; c += 32) {
        const int64_t w = std::min<int64_t>(32, dh - c);
        const __mmask32 k = static_cast<__mmask32>(w == 32 ? ~0u : (1u << w) - 1u);
        const __m512i b = _mm512_cvtepu8_epi16(_mm256_maskz_loadu_epi8(k, src + c));
        const __m512i m = _mm512_and_si512(b, mag);
        __m512i r = _mm512_add_epi16(_mm512_slli_epi16(m, 4), bias);
        r = _mm512_mask_add_epi16(r, _mm512_cmplt_epu16_mask(m, eight), _mm512_permutexvar_epi16(m, table),
                                  shift);
        r = _mm512_maskz_mov_epi16(_mm512_test_epi16_mask(m, m), r);  // ±0 keeps only its sign
        r = _mm512_or_si512(r, _mm512_slli_epi16(_mm512_andnot_si512(mag, b), 8));
        r = _mm512_mask_mov_epi16(r, _mm512_cmpeq_epi16_mask(m, mag), _mm512_set1_epi16(0x7fc0));
        _mm512_mask_storeu_epi16(out + c, k, r);
    }
    return true;
}

// The upper halves of `count` fp32 values that are bf16 already (or whose lower halves may go).
void upper_halves(const float* wide, int64_t count, uint16_t* out) {
    int64_t i = 0;
    for (; i + 16 <= count; i += 16)
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i),
                            _mm512_cvtepi32_epi16(_mm512_srli_epi32(_mm512_loadu_si512(wide + i), 16)));
    for (; i < count; ++i) {
        uint32_t u;
        std::memcpy(&u, wide + i, 4);
        out[i] = static_cast<uint16_t>(u >> 16);
    }
}

// FP8 rows (head g) → bf16 rows of dh elements, `ld` apart: e4m3 times a power of two has at most 4
// significant bits, so a value is a bf16 exactly (a scale past fp8_head_to_bf16's range goes through
// decode_rows' fp32 value, whose upper half is what the bf16 would be).
void fp8_rows_to_bf16(const uint8_t* const* rows, int64_t n, int64_t Hkv, int64_t dh, int64_t g,
                      uint16_t* out, int64_t ld) {
    for (int64_t j = 0; j < n; ++j) {
        const uint8_t* row = rows[j];
        if (fp8_head_to_bf16(row + g * dh, static_cast<int8_t>(row[Hkv * dh + g]), dh, out + j * ld))
            continue;
        std::vector<float> wide(static_cast<size_t>(dh));  // a rare scale: the allocation does not matter
        decode_rows(KvDtype::FP8, &row, 1, Hkv, dh, g, wide.data(), dh);
        upper_halves(wide.data(), dh, out + j * ld);
    }
}

// S_s[j][lane] for the NQ lane groups (query pairs qT_s at qt + s·DP·L), eight keys at a time; kp[j]:
// key j's bf16 elements of this head. Returns the tiles' maxima like scores_tile.
template <int NQ>
__attribute__((always_inline)) inline void scores_tile_bf16(const uint32_t* qt, int64_t DP,
                                                            const uint8_t* const* kp, int64_t n, float* S,
                                                            vf* tmax) {
    for (int s = 0; s < NQ; ++s) tmax[s] = splat(-INFINITY);
    int64_t j = 0;
    for (; j + 8 <= n; j += 8) {
        vf acc[NQ][8] = {};
        for (int64_t p = 0; p < DP; ++p) {
            __m512i qp[NQ];
            for (int s = 0; s < NQ; ++s) qp[s] = _mm512_loadu_si512(qt + (s * DP + p) * L);
#pragma GCC unroll 8
            for (int i = 0; i < 8; ++i) {
                const __m512i kd = bcast32(kp[j + i] + 4 * p);
                for (int s = 0; s < NQ; ++s) acc[s][i] = dot2(acc[s][i], qp[s], kd);
            }
        }
        for (int s = 0; s < NQ; ++s)
#pragma GCC unroll 8
            for (int i = 0; i < 8; ++i) {
                st(S + s * TK * L + (j + i) * L, acc[s][i]);
                tmax[s] = vmax(tmax[s], acc[s][i]);
            }
    }
    for (; j < n; ++j)
        for (int s = 0; s < NQ; ++s) {
            vf a{};
            for (int64_t p = 0; p < DP; ++p)
                a = dot2(a, _mm512_loadu_si512(qt + (s * DP + p) * L), bcast32(kp[j] + 4 * p));
            st(S + s * TK * L + j * L, a);
            tmax[s] = vmax(tmax[s], a);
        }
}

// The tile's V rows of this head as key pairs: vp[jp·ldv + d] = {v_2jp[d], v_2jp+1[d]} (a missing odd
// last row reads as zeros). dh elements per row, ldv >= dh rounded up to 16.
void pair_values(const uint8_t* const* rows, int64_t n, int64_t dh, uint32_t* vp, int64_t ldv) {
    // u16 indices into {a: row 2jp, b: row 2jp+1} (b's elements are 32..63): dword i = {a[i], b[i]}.
    alignas(64) static const uint16_t lo_idx[32] = {0,  32, 1,  33, 2,  34, 3,  35, 4,  36, 5,
                                                    37, 6,  38, 7,  39, 8,  40, 9,  41, 10, 42,
                                                    11, 43, 12, 44, 13, 45, 14, 46, 15, 47};
    alignas(64) static const uint16_t hi_idx[32] = {16, 48, 17, 49, 18, 50, 19, 51, 20, 52, 21,
                                                    53, 22, 54, 23, 55, 24, 56, 25, 57, 26, 58,
                                                    27, 59, 28, 60, 29, 61, 30, 62, 31, 63};
    const __m512i lo = _mm512_load_si512(lo_idx), hi = _mm512_load_si512(hi_idx);
    for (int64_t jp = 0; 2 * jp < n; ++jp) {
        const uint8_t* r0 = rows[2 * jp];
        const uint8_t* r1 = 2 * jp + 1 < n ? rows[2 * jp + 1] : nullptr;
        uint32_t* out = vp + jp * ldv;
        for (int64_t c = 0; c < dh; c += 32) {
            const int64_t w = std::min<int64_t>(32, dh - c);
            const __mmask32 m = static_cast<__mmask32>(w == 32 ? ~0u : (1u << w) - 1u);
            const __m512i a = _mm512_maskz_loadu_epi16(m, r0 + 2 * c);
            const __m512i b = r1 ? _mm512_maskz_loadu_epi16(m, r1 + 2 * c) : _mm512_setzero_si512();
            _mm512_storeu_si512(out + c, _mm512_permutex2var_epi16(a, lo, b));
            if (w > 16) _mm512_storeu_si512(out + c + 16, _mm512_permutex2var_epi16(a, hi, b));
        }
    }
}

// p (fp32, S_s[j][lane]) → bf16 key pairs P2_s[jp][lane] = {p_2jp, p_2jp+1}; an odd n's last pair takes 0.
inline void pair_probs(const float* S, int64_t n, uint32_t* P2) {
    // vcvtne2ps2bf16 puts the second operand's 16 values in the low half; interleave the halves.
    alignas(64) static const uint16_t idx[32] = {0,  16, 1,  17, 2,  18, 3,  19, 4,  20, 5,
                                                 21, 6,  22, 7,  23, 8,  24, 9,  25, 10, 26,
                                                 11, 27, 12, 28, 13, 29, 14, 30, 15, 31};
    const __m512i ix = _mm512_load_si512(idx);
    for (int64_t jp = 0; 2 * jp < n; ++jp) {
        const __m512 p0 = _mm512_loadu_ps(S + 2 * jp * L);
        const __m512 p1 = 2 * jp + 1 < n ? _mm512_loadu_ps(S + (2 * jp + 1) * L) : _mm512_setzero_ps();
        const __m512i both = (__m512i)_mm512_cvtne2ps_pbh(p1, p0);
        _mm512_storeu_si512(P2 + jp * L, _mm512_permutexvar_epi16(ix, both));
    }
}

// oT_s = oT_s·corr_s + Σ_jp P2_s[jp]·vp[jp] for the NQ lane groups, eight head dimensions at a time.
template <int NQ>
__attribute__((always_inline)) inline void values_tile_bf16(float* ot, int64_t dh, const uint32_t* P2,
                                                            const vf* corr, const uint32_t* vp, int64_t ldv,
                                                            int64_t npairs) {
    int64_t d = 0;
    for (; d + 8 <= dh; d += 8) {
        vf o[NQ][8];
        for (int s = 0; s < NQ; ++s)
#pragma GCC unroll 8
            for (int i = 0; i < 8; ++i) o[s][i] = ld(ot + s * dh * L + (d + i) * L) * corr[s];
        for (int64_t jp = 0; jp < npairs; ++jp) {
            __m512i pp[NQ];
            for (int s = 0; s < NQ; ++s) pp[s] = _mm512_loadu_si512(P2 + (s * (TK / 2) + jp) * L);
            const uint32_t* v = vp + jp * ldv + d;
#pragma GCC unroll 8
            for (int i = 0; i < 8; ++i) {
                const __m512i vd = bcast32(v + i);
                for (int s = 0; s < NQ; ++s) o[s][i] = dot2(o[s][i], pp[s], vd);
            }
        }
        for (int s = 0; s < NQ; ++s)
#pragma GCC unroll 8
            for (int i = 0; i < 8; ++i) st(ot + s * dh * L + (d + i) * L, o[s][i]);
    }
    for (; d < dh; ++d)
        for (int s = 0; s < NQ; ++s) {
            vf o0 = ld(ot + s * dh * L + d * L) * corr[s];
            for (int64_t jp = 0; jp < npairs; ++jp)
                o0 = dot2(o0, _mm512_loadu_si512(P2 + (s * (TK / 2) + jp) * L), bcast32(vp + jp * ldv + d));
            st(ot + s * dh * L + d * L, o0);
        }
}

// attention_rows_impl's loop for a BF16 or FP8 view (dh even): the same lane groups, pairing, masking and
// online softmax, with the products above.
void attention_rows_bf16dot_impl(const AttnRows& a, int64_t g, const KvView& kv) {
    thread_local Bf16Scratch sc;
    const int64_t dh = a.dh, DP = dh / 2, G = a.Hq / a.Hkv, M = a.n_rows * G, NG = (M + L - 1) / L;
    const int64_t ldv = (dh + L - 1) / L * L;
    const float scale = vec::kLog2e / std::sqrt(static_cast<float>(dh));
    uint32_t* qT = grow(sc.qT, NG * DP * L);
    float* oT = grow(sc.oT, NG * dh * L);
    float* mx = grow(sc.m, NG * L);
    float* ls = grow(sc.l, NG * L);
    float* nc = grow(sc.nctx, NG * L);
    float* S = grow(sc.s, 2 * TK * L);
    uint32_t* P2 = grow(sc.p2, 2 * (TK / 2) * L);
    uint32_t* vp = grow(sc.vp, (TK / 2) * ldv);
    const uint8_t** kp = grow(sc.kp, 2 * TK);  // the tile's K rows of head g, then its V rows
    init_lanes(a, g, NG, nc, mx, ls, oT, [&](int64_t q, const float* src) {
        uint32_t* qt = qT + q / L * DP * L + q % L;
        for (int64_t p = 0; p < DP; ++p)
            qt[p * L] = src ? bf16_bits(src[2 * p] * scale) | bf16_bits(src[2 * p + 1] * scale) << 16 : 0u;
    });
    const bool dmajor = dims_in_lanes(NG, M, dh);

    const int64_t n_keys = a.pos0 + a.n_rows, head = 2 * g * dh;
    const bool few = few_query_vectors(a.n_rows, G);
    for (int64_t t0 = 0; t0 < n_keys; t0 += TK) {
        const int64_t tn = std::min(TK, n_keys - t0);
        if (few) prefetch_next_tile(kv, t0, n_keys, g, dh);
        if (kv.dtype == KvDtype::FP8) {
            const uint8_t** rows = grow(sc.rows, 2 * TK);
            uint16_t* narrow = grow(sc.narrow, 2 * TK * dh);
            walk_tile(kv, t0, tn, [&](int64_t j, int64_t pg, int64_t o) {
                rows[j] = kv.k_bytes[pg] + o * kv.row_bytes;
                rows[TK + j] = kv.v_bytes[pg] + o * kv.row_bytes;
            });
            fp8_rows_to_bf16(rows, tn, a.Hkv, dh, g, narrow, dh);
            fp8_rows_to_bf16(rows + TK, tn, a.Hkv, dh, g, narrow + TK * dh, dh);
            for (int64_t j = 0; j < tn; ++j) {
                kp[j] = reinterpret_cast<const uint8_t*>(narrow + j * dh);
                kp[TK + j] = reinterpret_cast<const uint8_t*>(narrow + (TK + j) * dh);
            }
        } else {
            walk_tile(kv, t0, tn, [&](int64_t j, int64_t pg, int64_t o) {
                kp[j] = kv.k_bytes[pg] + o * kv.row_bytes + head;
                kp[TK + j] = kv.v_bytes[pg] + o * kv.row_bytes + head;
            });
        }
        pair_values(kp + TK, tn, dh, vp, ldv);
        for (int64_t grp = 0; grp < NG;) {
            const auto [span, lo, n] = group_tile(a, M, NG, grp, t0, tn, !dmajor);
            if (n == 0) {
                grp += span;
                continue;
            }
            const int64_t npairs = (n + 1) / 2;
            const uint32_t* qt = qT + grp * DP * L;
            vf tmax[2];
            if (span == 2)
                scores_tile_bf16<2>(qt, DP, kp, n, S, tmax);
            else
                scores_tile_bf16<1>(qt, DP, kp, n, S, tmax);
            vf corr[2];
            for (int64_t s = 0; s < span; ++s) {
                corr[s] =
                    softmax_tile_with(S + s * TK * L, n, t0, lo, ld(nc + (grp + s) * L), mx + (grp + s) * L,
                                      ls + (grp + s) * L, tmax[s], [](vf x) { return vexp2_coarse(x); });
                pair_probs(S + s * TK * L, n, P2 + s * (TK / 2) * L);
            }
            if (dmajor) {
                // The same per-lane operation as values_tile_bf16's, with the operands swapped.
                dims_in_lanes_pv(oT, M, dh, corr[0], npairs, [&](vf o, int64_t q, int64_t d, int64_t jp) {
                    return dot2(o, _mm512_loadu_si512(vp + jp * ldv + d), bcast32(P2 + jp * L + q));
                });
                ++grp;
                continue;
            }
            float* ot = oT + grp * dh * L;
            if (span == 2)
                values_tile_bf16<2>(ot, dh, P2, corr, vp, ldv, npairs);
            else
                values_tile_bf16<1>(ot, dh, P2, corr, vp, ldv, npairs);
            grp += span;
        }
    }
    store_outputs(a, g, oT, ls, dmajor);
}

// n consecutive FP8 rows (row_bytes apart) → bf16 rows of Hkv·dh elements, a bfloat16 cache's layout.
void widen_fp8_rows_bf16_impl(const uint8_t* first, int64_t row_bytes, int64_t n, int64_t Hkv, int64_t dh,
                              uint16_t* out) {
    thread_local std::vector<const uint8_t*> rows;
    const uint8_t** r = grow(rows, n);
    for (int64_t j = 0; j < n; ++j) r[j] = first + j * row_bytes;
    for (int64_t g = 0; g < Hkv; ++g) fp8_rows_to_bf16(r, n, Hkv, dh, g, out + g * dh, Hkv * dh);
}

}  // namespace
}  // namespace hy::kernels
