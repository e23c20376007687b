// The body of attention_rows (attention.h), written once with GCC/Clang vector extensions and compiled
// per instruction set like kernel_impl.h: attention.cpp (baseline SSE2, 4 lanes), attention_avx2.cpp
// (8 lanes), attention_avx512.cpp (16 lanes). Internal linkage only; include from those files after
// defining HY_ATTN_LANES.
//
// Layout: the M = rows × G query vectors of one KV head (G = Hq/Hkv heads of the GQA group) are cut
// into lane groups of L; a lane group keeps its queries transposed (qT[d][lane], pre-scaled by
// log2(e)/sqrt(dh)), its running max m, sum l and output oT[d][lane]. For every K/V tile of kAttnKeyTile
// tokens (fp32 pointers straight into the pages, or the tile converted once from bf16/fp8) each lane
// group computes S[j][lane] = Σ_d k_j[d]·qT[d][lane] (a broadcast of one key element times a vector of
// queries: no horizontal sums), masks keys past each lane's position (only in tiles that reach a
// position), then p = 2^(S − m_new), l = l·2^(m − m_new) + Σ p, oT = oT·2^(m − m_new) + Σ_j p_j·v_j
// (S in log2 units: 2^S is the softmax's e^(q·k/sqrt(dh))).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "kernels/attention.h"
#include "kernels/prefetch.h"
#include "kernels/vec_exp.h"  // also silences -Wpsabi for this file's vector arguments

#if HY_ATTN_LANES == 16 && defined(__AVX512F__)
#include <immintrin.h>
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 reports the deliberately undefined pass-through operand inside avx512fintrin.h's
// roundscale / scalef as "may be used uninitialized" (kernel_impl.h says the same of its intrinsics).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"  // the same operand, once inlined into the decode tile
#endif
#endif

namespace hy::kernels {
namespace {

constexpr int64_t L = HY_ATTN_LANES;
constexpr int64_t TK = kAttnKeyTile;
typedef float vf __attribute__((vector_size(L * 4)));
typedef int32_t vi __attribute__((vector_size(L * 4)));
typedef uint32_t vu __attribute__((vector_size(L * 4)));
typedef uint16_t vh __attribute__((vector_size(L * 2)));
typedef uint8_t vb __attribute__((vector_size(L)));

inline vf ld(const float* p) {
    vf v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline void st(float* p, vf v) {
    std::memcpy(p, &v, sizeof v);
}
// a - 0 is a for every a (0 + a turns -0 into +0), so GCC folds it to a bare broadcast; `vf{} + a`
// cost a scalar add before each broadcast.
inline vf splat(float a) {
    return a - vf{};
}
inline vf as_f(vu u) {
    vf f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}
inline vu as_u(vf f) {
    vu u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}
inline vf vmax(vf a, vf b) {
    return a > b ? a : b;
}

// 2^x for x <= 0 (scores, in log2 units, minus their running max), exactly 0 below -126 (masked keys
// are -inf). The queries carry log2 e / sqrt(dh), so e^(s − m) of the softmax is 2^(s' − m') and the
// exp needs no range-reduction multiply: r = x − round(x) is exact.
#if HY_ATTN_LANES == 16 && defined(__AVX512F__)
// AVX-512's own rounding (vrndscaleps, ties to even) and 2^n (vscalefps): 8 FMA-pipe operations per
// vector where the natural-base Cephes exp took 12, in the loop that is a sixth of attention's time.
// The same bits as vec::exp2_nonpositive.
inline vf vexp2(vf x) {
    const __m512 v = (__m512)x;
    const __mmask16 under = _mm512_cmp_ps_mask(v, _mm512_set1_ps(-126.0f), _CMP_LT_OQ);
    const __m512 n = _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m512 r = _mm512_sub_ps(v, n);
    __m512 p = _mm512_set1_ps(vec::kExp2Poly[0]);
#pragma GCC unroll 6
    for (int i = 1; i < 7; ++i) p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(vec::kExp2Poly[i]));
    return (vf)_mm512_maskz_mov_ps(static_cast<__mmask16>(~under), _mm512_scalef_ps(p, n));
}
#else
inline vf vexp2(vf x) {
    return vec::exp2_nonpositive<vf, vi>(x);
}
#endif

// Head g of `n` narrow rows → fp32 rows of `ld` floats.
void decode_rows(KvDtype d, const uint8_t* const* rows, int64_t n, int64_t Hkv, int64_t dh, int64_t g,
                 float* out, int64_t ld) {
    for (int64_t j = 0; j < n; ++j) {
        const uint8_t* row = rows[j];
        float* o = out + j * ld;
        int64_t i = 0;
        if (d == KvDtype::BF16) {
            const uint8_t* src = row + 2 * g * dh;
            for (; i + L <= dh; i += L) {
                vh h;
                std::memcpy(&h, src + 2 * i, sizeof h);
                st(o + i, as_f(__builtin_convertvector(h, vu) << 16));
            }
            for (; i < dh; ++i) {
                uint16_t h;
                std::memcpy(&h, src + 2 * i, 2);
                const uint32_t u = static_cast<uint32_t>(h) << 16;
                std::memcpy(o + i, &u, 4);
            }
        } else {  // FP8 e4m3 (kv_convert.h): magnitude bits at the top of an fp32, ×2^120, × the scale
            const uint8_t* src = row + g * dh;
            const int8_t e = static_cast<int8_t>(row[Hkv * dh + g]);
            const uint32_t sbits = static_cast<uint32_t>(e + 127) << 23;
            float s;
            std::memcpy(&s, &sbits, 4);
            for (; i + L <= dh; i += L) {
                vb b;
                std::memcpy(&b, src + i, sizeof b);
                const vu u = __builtin_convertvector(b, vu);
                const vu m = u & 0x7f;
                const vf f = as_f(m << 20) * 0x1p120f * s;
                const vf sgn = as_f((as_u(f) | ((u & 0x80) << 24)));
                st(o + i, m == 0x7f ? splat(NAN) : sgn);
            }
            for (; i < dh; ++i) {
                const uint32_t m = src[i] & 0x7fu;
                uint32_t bits = m << 20;
                float f;
                std::memcpy(&f, &bits, 4);
                f = f * 0x1p120f * s;
                o[i] = m == 0x7f ? NAN : (src[i] & 0x80) ? -f : f;
            }
        }
    }
}

// f(j, page, offset) for tokens t0 + j, j < tn, walked page by page: KvView::k's division per token
// was ~4% of a long prompt's attention.
template <class F>
__attribute__((always_inline)) inline void walk_tile(const KvView& kv, int64_t t0, int64_t tn, F&& f) {
    const int64_t P = kv.page_tokens;
    for (int64_t j = 0, pg = t0 / P, o = t0 % P; j < tn; ++j) {
        f(j, pg, o);
        if (++o == P) o = 0, ++pg;
    }
}

// Fetches head g's K and V rows of the key tile [t0, t0 + tn) towards L1 while the tile before it is
// computed. A decode step's 16 sequences read their K/V from DRAM or L3 (the weights streamed since
// the last token evicted them), one head's row within rows of all heads, and a task of few query
// vectors does too little work per line for out-of-order execution to hide the misses: with this and
// the next task's first tile (attention_batch), a 16-sequence decode step's attention at 128-384 keys
// took 16-21% less time (session 12). Tasks of many query vectors reuse each tile from cache (and
// warm_shared_kv has touched it), so they skip it: for them the prefetches only cost issue slots
// (8K causal prefill +3%).
inline bool few_query_vectors(int64_t n_rows, int64_t G) {
    return n_rows * G <= 16;
}
inline void prefetch_tile(const KvView& kv, int64_t t0, int64_t tn, int64_t g, int64_t dh) {
    walk_tile(kv, t0, tn, [&](int64_t, int64_t pg, int64_t o) {
        if (kv.dtype == KvDtype::F32) {
            const int64_t at = o * kv.row + g * dh, n = dh * static_cast<int64_t>(sizeof(float));
            prefetch_bytes(kv.k_pages[pg] + at, n);
            prefetch_bytes(kv.v_pages[pg] + at, n);
        } else {  // a bf16 row's head, or a whole fp8 row (its scales sit after the values)
            const bool bf16 = kv.dtype == KvDtype::BF16;
            const int64_t at = o * kv.row_bytes + (bf16 ? 2 * g * dh : 0), n = bf16 ? 2 * dh : kv.row_bytes;
            prefetch_bytes(kv.k_bytes[pg] + at, n);
            prefetch_bytes(kv.v_bytes[pg] + at, n);
        }
    });
}
// The tile after [t0, t0 + TK), if any.
inline void prefetch_next_tile(const KvView& kv, int64_t t0, int64_t n_keys, int64_t g, int64_t dh) {
    if (t0 + TK < n_keys) prefetch_tile(kv, t0 + TK, std::min(TK, n_keys - t0 - TK), g, dh);
}

struct Scratch {
    std::vector<float> qT, oT, m, l, nctx, s, kbuf, vbuf;
    std::vector<const float*> kp, vp;
    std::vector<const uint8_t*> rows;
};

template <class T>
T* grow(std::vector<T>& v, int64_t n) {
    if (static_cast<int64_t>(v.size()) < n) v.resize(static_cast<size_t>(n));
    return v.data();
}

// Pair lane groups only where 2 groups x 8 keys of accumulators (16) and the operands fit the
// register file: 32 zmm (AVX-512); AVX2 and SSE2 have 16 registers.
constexpr bool kPairGroups = L >= 16;

// The per-lane state both kernels (this one and attention_bf16dot_impl.h) start from: lane q < M is query
// vector q (row q / G, head g·G + q % G) and sees positions up to nctx[q]; the lanes past M pad the last
// group with a zero query that sees only token 0. pack(q, src) stores lane q's query in the kernel's
// own layout (src: dh floats, null for a padding lane); max, sum and output start empty.
template <class PackQuery>
void init_lanes(const AttnRows& a, int64_t g, int64_t NG, float* nctx, float* mx, float* ls, float* oT,
                PackQuery pack) {
    const int64_t G = a.Hq / a.Hkv, M = a.n_rows * G;
    for (int64_t q = 0; q < NG * L; ++q) {
        if (q < M) {
            const int64_t i = q / G, h = g * G + q % G;
            pack(q, a.q + i * a.ldq + h * a.dh);
            nctx[q] = static_cast<float>(a.pos0 + i + 1);
        } else {
            pack(q, nullptr);
            nctx[q] = 1.0f;
        }
        mx[q] = -INFINITY;
        ls[q] = 0.0f;
    }
    std::memset(oT, 0, static_cast<size_t>(NG * a.dh * L) * sizeof(float));
}

// Fewer query vectors than lanes (a decode row: the GQA group's G heads): P·V runs with the head
// dimensions in the lanes (oT as [M, dh]) instead of the queries, M·dh/L vector multiply-adds per
// key instead of dh. Each (query, dimension) still sums the same products in the same order.
inline bool dims_in_lanes(int64_t NG, int64_t M, int64_t dh) {
    return NG == 1 && M < L && dh % L == 0;
}

// What lane group grp does with the key tile [t0, t0 + tn): `span` groups from grp (2 when pairable and
// both see keys of this tile: the first group's extra keys are past all its positions, masked to p = 0,
// which leaves its max, sum and output bits as they were), the smallest position `lo` of the first
// group (masking starts there), and the `n` keys they see (0: none; skip the span).
struct GroupTile {
    int64_t span, lo, n;
};
inline GroupTile group_tile(const AttnRows& a, int64_t M, int64_t NG, int64_t grp, int64_t t0, int64_t tn,
                            bool pairable) {
    // Lanes of a group are consecutive query vectors: the last lane has the largest position.
    const int64_t G = a.Hq / a.Hkv, first = grp * L, last0 = std::min(M, first + L) - 1;
    const int64_t lo = a.pos0 + first / G + 1, hi0 = a.pos0 + last0 / G + 1;  // n_ctx range
    const int64_t span = pairable && grp + 1 < NG && t0 < hi0 ? 2 : 1;
    const int64_t last = std::min(M, first + span * L) - 1, hi = a.pos0 + last / G + 1;
    return {span, lo, t0 >= hi ? 0 : std::min(tn, hi - t0)};
}

// P·V of one tile with the head dimensions in the lanes (dims_in_lanes): oT[q][d, d + L) = oT·corr_q,
// then o = step(o, q, d, j) for j < steps in order; eight (query, dimension-vector) chains at a time
// keep the multiply-add units busy. Each chain is the same sequence whatever the chains beside it.
template <class Step>
__attribute__((always_inline)) inline void dims_in_lanes_pv(float* oT, int64_t M, int64_t dh, vf corr,
                                                            int64_t steps, Step step) {
    float corr_q[L];
    st(corr_q, corr);
    const int64_t nv = dh / L, chains = M * nv;
    int64_t c0 = 0;
    for (; c0 + 8 <= chains; c0 += 8) {
        vf o[8];
        int64_t qk[8], dk[8];
#pragma GCC unroll 8
        for (int k = 0; k < 8; ++k) {
            qk[k] = (c0 + k) / nv, dk[k] = (c0 + k) % nv * L;
            o[k] = ld(oT + qk[k] * dh + dk[k]) * corr_q[qk[k]];
        }
        for (int64_t j = 0; j < steps; ++j)
#pragma GCC unroll 8
            for (int k = 0; k < 8; ++k) o[k] = step(o[k], qk[k], dk[k], j);
#pragma GCC unroll 8
        for (int k = 0; k < 8; ++k) st(oT + qk[k] * dh + dk[k], o[k]);
    }
    for (; c0 < chains; ++c0) {
        const int64_t q = c0 / nv, d = c0 % nv * L;
        vf o = ld(oT + q * dh + d) * corr_q[q];
        for (int64_t j = 0; j < steps; ++j) o = step(o, q, d, j);
        st(oT + q * dh + d, o);
    }
}

// out = oT / l for every query vector, from either oT layout.
inline void store_outputs(const AttnRows& a, int64_t g, const float* oT, const float* ls, bool dmajor) {
    const int64_t dh = a.dh, G = a.Hq / a.Hkv, M = a.n_rows * G;
    for (int64_t q = 0; q < M; ++q) {
        const int64_t grp = q / L, lane = q % L, i = q / G, h = g * G + q % G;
        const float inv = 1.0f / ls[q];
        const float* ot = dmajor ? oT + q * dh : oT + grp * dh * L + lane;
        const int64_t step = dmajor ? 1 : L;
        float* dst = a.out + i * a.ldo + h * dh;
        for (int64_t d = 0; d < dh; ++d) dst[d] = ot[d * step] * inv;
    }
}

// S_s[j][lane] = Σ_d k_j[d]·qT_s[d][lane] for the NQ lane groups s (qT_s at qt + s·dh·L, S_s at
// S + s·TK·L), eight keys at a time: each broadcast key element feeds NQ vectors of queries. Every
// lane sums its products in d order, whatever NQ.
template <int NQ>
__attribute__((always_inline)) inline void scores_tile(const float* qt, int64_t dh, const float* const* kp,
                                                       int64_t n, float* S, vf* tmax) {
#pragma GCC unroll 2
    for (int s = 0; s < NQ; ++s) tmax[s] = splat(-INFINITY);
    int64_t j = 0;
    for (; j + 8 <= n; j += 8) {
        vf acc[NQ][8] = {};
        for (int64_t d = 0; d < dh; ++d) {
            vf qd[NQ];
#pragma GCC unroll 2
            for (int s = 0; s < NQ; ++s) qd[s] = ld(qt + s * dh * L + d * L);
#pragma GCC unroll 8
            for (int i = 0; i < 8; ++i) {
                const vf kd = splat(kp[j + i][d]);
#pragma GCC unroll 2
                for (int s = 0; s < NQ; ++s) acc[s][i] += qd[s] * kd;
            }
        }
#pragma GCC unroll 2
        for (int s = 0; s < NQ; ++s)
#pragma GCC unroll 8
            for (int i = 0; i < 8; ++i) {
                st(S + s * TK * L + (j + i) * L, acc[s][i]);
                tmax[s] = vmax(tmax[s], acc[s][i]);
            }
    }
    for (; j < n; ++j) {
        const float* k0 = kp[j];
#pragma GCC unroll 2
        for (int s = 0; s < NQ; ++s) {
            vf s0{};
            for (int64_t d = 0; d < dh; ++d) s0 += ld(qt + s * dh * L + d * L) * k0[d];
            st(S + s * TK * L + j * L, s0);
            tmax[s] = vmax(tmax[s], s0);
        }
    }
}

// Masks the keys past each lane's position (n_ctx in nctx) where the tile reaches past the group's
// smallest one (lo), turns S into p = exp(S − m_new) and updates the running max and sum; returns
// exp(m_old − m_new), the factor the output is rescaled by. `tmax`: the tile's max as scores_tile
// found it, in key order; a masked tile takes its max again after the mask.
// `exp2`: vexp2, or a coarser 2^x where the probabilities are rounded afterwards (the bf16 kernel).
template <class Exp2>
__attribute__((always_inline)) inline vf softmax_tile_with(float* S, int64_t n, int64_t t0, int64_t lo,
                                                           vf nctx, float* mx, float* ls, vf tmax,
                                                           Exp2 exp2) {
    if (t0 + n > lo) {
        for (int64_t j = 0; j < n; ++j) {
            const vf s = ld(S + j * L);
            st(S + j * L, splat(static_cast<float>(t0 + j)) < nctx ? s : splat(-INFINITY));
        }
        tmax = splat(-INFINITY);
        for (int64_t j = 0; j < n; ++j) tmax = vmax(tmax, ld(S + j * L));
    }
    const vf m_old = ld(mx), m_new = vmax(m_old, tmax);
    const vf corr = exp2(m_old - m_new);
    vf sum{};
    for (int64_t j = 0; j < n; ++j) {
        const vf p = exp2(ld(S + j * L) - m_new);
        st(S + j * L, p);
        sum += p;
    }
    st(mx, m_new);
    st(ls, ld(ls) * corr + sum);
    return corr;
}
__attribute__((always_inline)) inline vf softmax_tile(float* S, int64_t n, int64_t t0, int64_t lo, vf nctx,
                                                      float* mx, float* ls, vf tmax) {
    return softmax_tile_with(S, n, t0, lo, nctx, mx, ls, tmax, [](vf x) { return vexp2(x); });
}

// oT_s = oT_s·corr_s + Σ_j p_sj·v_j for the NQ lane groups (oT_s at ot + s·dh·L), eight head
// dimensions at a time: each broadcast value element feeds NQ vectors of probabilities.
template <int NQ>
__attribute__((always_inline)) inline void values_tile(float* ot, int64_t dh, const float* S, const vf* corr,
                                                       const float* const* vp, int64_t n) {
    int64_t d = 0;
    for (; d + 8 <= dh; d += 8) {
        vf o[NQ][8];
#pragma GCC unroll 2
        for (int s = 0; s < NQ; ++s)
#pragma GCC unroll 8
            for (int i = 0; i < 8; ++i) o[s][i] = ld(ot + s * dh * L + (d + i) * L) * corr[s];
        for (int64_t j = 0; j < n; ++j) {
            vf p[NQ];
#pragma GCC unroll 2
            for (int s = 0; s < NQ; ++s) p[s] = ld(S + s * TK * L + j * L);
            const float* v = vp[j] + d;
#pragma GCC unroll 8
            for (int i = 0; i < 8; ++i) {
                const vf vd = splat(v[i]);
#pragma GCC unroll 2
                for (int s = 0; s < NQ; ++s) o[s][i] += p[s] * vd;
            }
        }
#pragma GCC unroll 2
        for (int s = 0; s < NQ; ++s)
#pragma GCC unroll 8
            for (int i = 0; i < 8; ++i) st(ot + s * dh * L + (d + i) * L, o[s][i]);
    }
    for (; d < dh; ++d)
#pragma GCC unroll 2
        for (int s = 0; s < NQ; ++s) {
            vf o0 = ld(ot + s * dh * L + d * L) * corr[s];
            for (int64_t j = 0; j < n; ++j) o0 += ld(S + s * TK * L + j * L) * vp[j][d];
            st(ot + s * dh * L + d * L, o0);
        }
}

#if HY_ATTN_LANES >= 8
// ---- Decode tasks with the keys in the lanes (AVX-512 and AVX2) ----
// A decode row's G query vectors fill G of the L lanes, so scores_tile spent dh multiply-adds and dh
// broadcasts per key on 4 useful lanes, and softmax_tile an exp per key. Here a task of at most
// kKeysInLanesMaxQueries query vectors (dims_in_lanes) puts L keys in the lanes instead: each L x L
// block of K (L keys x L dimensions) is transposed in registers, then M·dh/L multiply-adds per key give
// the scores, and an exp covers L keys. Every (query, key) still sums q[d]·k[d] for d = 0, 1, ... with one
// multiply-add each from zero, takes its max, exp and sum in key order, and P·V is unchanged, so a row gets
// the same bits as through the queries-in-lanes path: AttentionRows.RowOutputIndependentOfBatching compares
// them. Accumulators for that many queries plus the L rows of a block fit the register file: 32 zmm, 16 ymm.
constexpr int64_t kKeysInLanesMaxQueries = L == 16 ? 8 : 4;

// One stage of an L x L transpose: rows i and i + 2^k swap bit k of the column index with bit k of the
// row index (r[i][c] = r[i + 2^k][c − 2^k] where bit k of c is set, r[i + 2^k][c] = r[i][c + 2^k] where
// it is clear). log2(L) stages swap all the bits.
template <int k, int... c>
__attribute__((always_inline)) inline vf swap_bit_low(vf a, vf b, std::integer_sequence<int, c...>) {
    return __builtin_shufflevector(a, b, (((c >> k) & 1) != 0 ? int{L} + c - (1 << k) : c)...);
}
template <int k, int... c>
__attribute__((always_inline)) inline vf swap_bit_high(vf a, vf b, std::integer_sequence<int, c...>) {
    return __builtin_shufflevector(a, b, (((c >> k) & 1) != 0 ? int{L} + c : c + (1 << k))...);
}
template <int k>
__attribute__((always_inline)) inline void transpose_stage(vf (&r)[L]) {
    constexpr auto cols = std::make_integer_sequence<int, int{L}>{};
#pragma GCC unroll 16
    for (int i = 0; i < L; ++i)
        if (((i >> k) & 1) == 0) {
            const vf lo = swap_bit_low<k>(r[i], r[i + (1 << k)], cols);
            const vf hi = swap_bit_high<k>(r[i], r[i + (1 << k)], cols);
            r[i] = lo;
            r[i + (1 << k)] = hi;
        }
}
__attribute__((always_inline)) inline void transpose_lanes(vf (&r)[L]) {
    transpose_stage<0>(r);
    transpose_stage<1>(r);
    transpose_stage<2>(r);
    if constexpr (L == 16) transpose_stage<3>(r);
}

// P[q][j] (q < MQ, j < n; rows of TK) = the scores of query vector q (lane q of qT) against key j.
template <int MQ>
__attribute__((always_inline)) inline void scores_keys_in_lanes(const float* qT, int64_t dh,
                                                                const float* const* kp, int64_t n, float* P) {
    for (int64_t j0 = 0; j0 < n; j0 += L) {
        const int64_t nk = std::min<int64_t>(L, n - j0);
        vf acc[MQ] = {};
        for (int64_t d0 = 0; d0 < dh; d0 += L) {
            vf r[L];
#pragma GCC unroll 16
            for (int jj = 0; jj < L; ++jj) r[jj] = jj < nk ? ld(kp[j0 + jj] + d0) : vf{};
            transpose_lanes(r);  // r[i]: dimension d0 + i of the L keys
#pragma GCC unroll 16
            for (int i = 0; i < L; ++i)
#pragma GCC unroll 8
                for (int q = 0; q < MQ; ++q) acc[q] += splat(qT[(d0 + i) * L + q]) * r[i];
        }
#pragma GCC unroll 8
        for (int q = 0; q < MQ; ++q) st(P + q * TK + j0, acc[q]);
    }
}

// softmax_tile for P[q][j] (keys t0 + j): keys at or past lane q's n_ctx are masked (always, which
// changes nothing where the tile lies before every position), then the running max, p = 2^(s − m_new)
// in place, the sum in key order, and l = l·corr + sum; returns corr. Lanes past MQ keep an empty state.
template <int MQ>
__attribute__((always_inline)) inline vf softmax_keys_in_lanes(float* P, int64_t n, int64_t t0,
                                                               const float* nctx, float* mx, float* ls) {
    alignas(64) float tmax[L], sum[L], m_new[L];
    vf key{};
#pragma GCC unroll 16
    for (int jj = 0; jj < L; ++jj) key[jj] = static_cast<float>(jj);
    const vf end = splat(static_cast<float>(t0 + n));
    for (int q = 0; q < L; ++q) tmax[q] = q < MQ ? -INFINITY : 0.0f, sum[q] = 0.0f;
    for (int q = 0; q < MQ; ++q) {
        const vf limit = splat(nctx[q]);
        vf tm = splat(-INFINITY);
        for (int64_t j0 = 0; j0 < n; j0 += L) {
            const vf pos = splat(static_cast<float>(t0 + j0)) + key;
            const vf s = pos < limit && pos < end ? ld(P + q * TK + j0) : splat(-INFINITY);
            st(P + q * TK + j0, s);
            tm = vmax(tm, s);
        }
        float m = tm[0];
        for (int jj = 1; jj < L; ++jj) m = tm[jj] > m ? tm[jj] : m;
        tmax[q] = m;
    }
    const vf m_old = ld(mx), mn = vmax(m_old, ld(tmax));
    const vf corr = vexp2(m_old - mn);
    st(m_new, mn);
    for (int q = 0; q < MQ; ++q) {
        const vf m = splat(m_new[q]);
        float* row = P + q * TK;
        for (int64_t j0 = 0; j0 < n; j0 += L) st(row + j0, vexp2(ld(row + j0) - m));
    }
    float s[MQ] = {};  // MQ independent chains side by side, each in key order
    for (int64_t j = 0; j < n; ++j)
#pragma GCC unroll 8
        for (int q = 0; q < MQ; ++q) s[q] += P[q * TK + j];
    for (int q = 0; q < MQ; ++q) sum[q] = s[q];
    st(mx, mn);
    st(ls, ld(ls) * corr + ld(sum));
    return corr;
}

// dims_in_lanes_pv with the query count known: oT[q][d, d + L) = oT·corr_q + Σ_j P[q][j]·v_j[d, d + L)
// in key order, for DV dimension vectors of all MQ queries per pass over the keys (MQ·DV chains; each
// value vector is loaded once for all queries).
template <int MQ, int DV>
__attribute__((always_inline)) inline void pv_keys_in_lanes(float* oT, int64_t dh, vf corr, const float* P,
                                                            const float* const* vp, int64_t n) {
    alignas(64) float corr_q[L];
    st(corr_q, corr);
    for (int64_t d0 = 0; d0 < dh; d0 += DV * L) {
        vf o[MQ][DV];
#pragma GCC unroll 8
        for (int q = 0; q < MQ; ++q)
#pragma GCC unroll 2
            for (int v = 0; v < DV; ++v) o[q][v] = ld(oT + q * dh + d0 + v * L) * corr_q[q];
        for (int64_t j = 0; j < n; ++j) {
            vf val[DV];
#pragma GCC unroll 2
            for (int v = 0; v < DV; ++v) val[v] = ld(vp[j] + d0 + v * L);
#pragma GCC unroll 8
            for (int q = 0; q < MQ; ++q)
#pragma GCC unroll 2
                for (int v = 0; v < DV; ++v) o[q][v] = o[q][v] + P[q * TK + j] * val[v];
        }
#pragma GCC unroll 8
        for (int q = 0; q < MQ; ++q)
#pragma GCC unroll 2
            for (int v = 0; v < DV; ++v) st(oT + q * dh + d0 + v * L, o[q][v]);
    }
}

// One key tile of a decode task: scores, softmax and P·V, P as [MQ][TK] in `P`.
template <int MQ>
void keys_in_lanes_tile(const float* qT, int64_t dh, const float* const* kp, const float* const* vp,
                        int64_t n, int64_t t0, const float* nctx, float* mx, float* ls, float* oT, float* P) {
    scores_keys_in_lanes<MQ>(qT, dh, kp, n, P);
    const vf corr = softmax_keys_in_lanes<MQ>(P, n, t0, nctx, mx, ls);
    if (dh % (2 * L) == 0)
        pv_keys_in_lanes<MQ, 2>(oT, dh, corr, P, vp, n);
    else
        pv_keys_in_lanes<MQ, 1>(oT, dh, corr, P, vp, n);
}

// keys_in_lanes_tile for M = 1..kKeysInLanesMaxQueries query vectors.
template <int MQ = 1>
inline void keys_in_lanes_dispatch(int64_t M, const float* qT, int64_t dh, const float* const* kp,
                                   const float* const* vp, int64_t n, int64_t t0, const float* nctx,
                                   float* mx, float* ls, float* oT, float* P) {
    if constexpr (MQ <= kKeysInLanesMaxQueries) {
        if (M == MQ) return keys_in_lanes_tile<MQ>(qT, dh, kp, vp, n, t0, nctx, mx, ls, oT, P);
        keys_in_lanes_dispatch<MQ + 1>(M, qT, dh, kp, vp, n, t0, nctx, mx, ls, oT, P);
    }
}
#endif

void attention_rows_impl(const AttnRows& a, int64_t g, const KvView& kv) {
    thread_local Scratch sc;
    const int64_t dh = a.dh, G = a.Hq / a.Hkv, M = a.n_rows * G, NG = (M + L - 1) / L;
    const float scale = vec::kLog2e / std::sqrt(static_cast<float>(dh));  // scores in log2 units (vexp2)
    float* qT = grow(sc.qT, NG * dh * L);
    float* oT = grow(sc.oT, NG * dh * L);
    float* mx = grow(sc.m, NG * L);
    float* ls = grow(sc.l, NG * L);
    float* nc = grow(sc.nctx, NG * L);
    float* S = grow(sc.s, 2 * TK * L);  // two lane groups' scores (kPairGroups)
    const float** kp = grow(sc.kp, TK);
    const float** vp = grow(sc.vp, TK);
    init_lanes(a, g, NG, nc, mx, ls, oT, [&](int64_t q, const float* src) {
        float* qt = qT + q / L * dh * L + q % L;
        for (int64_t d = 0; d < dh; ++d) qt[d * L] = src ? src[d] * scale : 0.0f;
    });
    const bool dmajor = dims_in_lanes(NG, M, dh);

    const bool narrow = kv.dtype != KvDtype::F32, few = few_query_vectors(a.n_rows, G);
    const int64_t n_keys = a.pos0 + a.n_rows;
    for (int64_t t0 = 0; t0 < n_keys; t0 += TK) {
        const int64_t tn = std::min(TK, n_keys - t0);
        if (few) prefetch_next_tile(kv, t0, n_keys, g, dh);
        if (narrow) {
            const uint8_t** rows = grow(sc.rows, 2 * TK);  // the tile's K rows, then its V rows
            float* kb = grow(sc.kbuf, TK * dh);
            float* vbuf = grow(sc.vbuf, TK * dh);
            walk_tile(kv, t0, tn, [&](int64_t j, int64_t pg, int64_t o) {
                rows[j] = kv.k_bytes[pg] + o * kv.row_bytes;
                rows[TK + j] = kv.v_bytes[pg] + o * kv.row_bytes;
            });
            decode_rows(kv.dtype, rows, tn, a.Hkv, dh, g, kb, dh);
            decode_rows(kv.dtype, rows + TK, tn, a.Hkv, dh, g, vbuf, dh);
            for (int64_t j = 0; j < tn; ++j) kp[j] = kb + j * dh, vp[j] = vbuf + j * dh;
        } else {
            walk_tile(kv, t0, tn, [&](int64_t j, int64_t pg, int64_t o) {
                kp[j] = kv.k_pages[pg] + o * kv.row + g * dh;
                vp[j] = kv.v_pages[pg] + o * kv.row + g * dh;
            });
        }
        for (int64_t grp = 0; grp < NG;) {
            const auto [span, lo, n] = group_tile(a, M, NG, grp, t0, tn, kPairGroups && !dmajor);
            if (n == 0) {
                grp += span;
                continue;
            }
            const float* qt = qT + grp * dh * L;
#if HY_ATTN_LANES >= 8
            if (dmajor && M <= kKeysInLanesMaxQueries) {  // NG == 1: grp == 0, span == 1
                keys_in_lanes_dispatch(M, qt, dh, kp, vp, n, t0, nc, mx, ls, oT, S);
                ++grp;
                continue;
            }
#endif
            vf tmax[2];
            if (span == 2)
                scores_tile<2>(qt, dh, kp, n, S, tmax);
            else
                scores_tile<1>(qt, dh, kp, n, S, tmax);
            vf corr[2];
            for (int64_t s = 0; s < span; ++s)
                corr[s] = softmax_tile(S + s * TK * L, n, t0, lo, ld(nc + (grp + s) * L), mx + (grp + s) * L,
                                       ls + (grp + s) * L, tmax[s]);
            if (dmajor) {  // oT is [M, dh]: o_q = o_q·corr_q + Σ_j p_qj v_j, the same chain per (q, d)
                dims_in_lanes_pv(oT, M, dh, corr[0], n, [&](vf o, int64_t q, int64_t d, int64_t j) {
                    return o + S[j * L + q] * ld(vp[j] + d);
                });
                ++grp;
                continue;
            }
            float* ot = oT + grp * dh * L;
            if (span == 2)
                values_tile<2>(ot, dh, S, corr, vp, n);
            else
                values_tile<1>(ot, dh, S, corr, vp, n);
            grp += span;
        }
    }
    store_outputs(a, g, oT, ls, dmajor);
}

}  // namespace
}  // namespace hy::kernels
