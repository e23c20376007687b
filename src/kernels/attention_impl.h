// The body of attention_rows (attention.h), written once with GCC/Clang vector extensions and compiled
// per instruction set like kernel_impl.h: attention.cpp (baseline SSE2, 4 lanes), attention_avx2.cpp
// (8 lanes), attention_avx512.cpp (16 lanes). Internal linkage only; include from those files after
// defining HY_ATTN_LANES.
//
// Layout: the M = rows × G query vectors of one KV head (G = Hq/Hkv heads of the GQA group) are cut
// into lane groups of L; a lane group keeps its queries transposed (qT[d][lane], pre-scaled by
// 1/sqrt(dh)), its running max m, sum l and output oT[d][lane]. For every K/V tile of kAttnKeyTile
// tokens (fp32 pointers straight into the pages, or the tile converted once from bf16/fp8) each lane
// group computes S[j][lane] = Σ_d k_j[d]·qT[d][lane] (a broadcast of one key element times a vector of
// queries: no horizontal sums), masks keys past each lane's position (only in tiles that reach a
// position), then p = exp(S − m_new), l = l·exp(m − m_new) + Σ p, oT = oT·exp(m − m_new) + Σ_j p_j·v_j.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "kernels/attention.h"
#include "kernels/vec_exp.h"  // also silences -Wpsabi for this file's vector arguments

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

// e^x for x <= 0 (scores minus their running max), exactly 0 below -87 (masked keys are -inf).
inline vf vexp(vf x) {
    return vec::exp_nonpositive<vf, vi>(x);
}

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

void attention_rows_impl(const AttnRows& a, int64_t g, const KvView& kv) {
    thread_local Scratch sc;
    const int64_t dh = a.dh, G = a.Hq / a.Hkv, M = a.n_rows * G, NG = (M + L - 1) / L;
    const float scale = 1.0f / std::sqrt(static_cast<float>(dh));
    float* qT = grow(sc.qT, NG * dh * L);
    float* oT = grow(sc.oT, NG * dh * L);
    float* mx = grow(sc.m, NG * L);
    float* ls = grow(sc.l, NG * L);
    float* nc = grow(sc.nctx, NG * L);
    float* S = grow(sc.s, TK * L);
    const float** kp = grow(sc.kp, TK);
    const float** vp = grow(sc.vp, TK);
    for (int64_t q = 0; q < NG * L; ++q) {
        const int64_t grp = q / L, lane = q % L;
        float* qt = qT + grp * dh * L + lane;
        if (q < M) {
            const int64_t i = q / G, h = g * G + q % G;
            const float* src = a.q + i * a.ldq + h * dh;
            for (int64_t d = 0; d < dh; ++d) qt[d * L] = src[d] * scale;
            nc[q] = static_cast<float>(a.pos0 + i + 1);
        } else {  // padding lane: a zero query that sees only token 0
            for (int64_t d = 0; d < dh; ++d) qt[d * L] = 0.0f;
            nc[q] = 1.0f;
        }
        mx[q] = -INFINITY;
        ls[q] = 0.0f;
    }
    std::memset(oT, 0, static_cast<size_t>(NG * dh * L) * sizeof(float));
    // Fewer query vectors than lanes (a decode row: the GQA group's G heads): P·V runs with the head
    // dimensions in the lanes (oT as [M, dh]) instead of the queries, M·dh/L vector multiply-adds per
    // key instead of dh. Each (query, dimension) still sums the same products in the same order.
    const bool dmajor = NG == 1 && M < L && dh % L == 0;

    const bool narrow = kv.dtype != KvDtype::F32;
    const int64_t n_keys = a.pos0 + a.n_rows;
    for (int64_t t0 = 0; t0 < n_keys; t0 += TK) {
        const int64_t tn = std::min(TK, n_keys - t0);
        if (narrow) {
            const uint8_t** rows = grow(sc.rows, TK);
            float* kb = grow(sc.kbuf, TK * dh);
            float* vbuf = grow(sc.vbuf, TK * dh);
            for (int64_t j = 0; j < tn; ++j) rows[j] = kv.kb(t0 + j);
            decode_rows(kv.dtype, rows, tn, a.Hkv, dh, g, kb, dh);
            for (int64_t j = 0; j < tn; ++j) rows[j] = kv.vb(t0 + j);
            decode_rows(kv.dtype, rows, tn, a.Hkv, dh, g, vbuf, dh);
            for (int64_t j = 0; j < tn; ++j) kp[j] = kb + j * dh, vp[j] = vbuf + j * dh;
        } else {
            for (int64_t j = 0; j < tn; ++j) kp[j] = kv.k(t0 + j) + g * dh, vp[j] = kv.v(t0 + j) + g * dh;
        }
        for (int64_t grp = 0; grp < NG; ++grp) {
            // Lanes of a group are consecutive query vectors: the last lane has the largest position.
            const int64_t first = grp * L, last = std::min(M, first + L) - 1;
            const int64_t lo = a.pos0 + first / G + 1, hi = a.pos0 + last / G + 1;  // n_ctx range
            if (t0 >= hi) continue;
            const int64_t n = std::min(tn, hi - t0);
            const float* qt = qT + grp * dh * L;
            // S = K·Q^T, eight keys at a time.
            int64_t j = 0;
            for (; j + 8 <= n; j += 8) {
                vf s0{}, s1{}, s2{}, s3{}, s4{}, s5{}, s6{}, s7{};
                const float *k0 = kp[j], *k1 = kp[j + 1], *k2 = kp[j + 2], *k3 = kp[j + 3], *k4 = kp[j + 4],
                            *k5 = kp[j + 5], *k6 = kp[j + 6], *k7 = kp[j + 7];
                for (int64_t d = 0; d < dh; ++d) {
                    const vf qd = ld(qt + d * L);
                    s0 += qd * k0[d];
                    s1 += qd * k1[d];
                    s2 += qd * k2[d];
                    s3 += qd * k3[d];
                    s4 += qd * k4[d];
                    s5 += qd * k5[d];
                    s6 += qd * k6[d];
                    s7 += qd * k7[d];
                }
                st(S + (j + 0) * L, s0);
                st(S + (j + 1) * L, s1);
                st(S + (j + 2) * L, s2);
                st(S + (j + 3) * L, s3);
                st(S + (j + 4) * L, s4);
                st(S + (j + 5) * L, s5);
                st(S + (j + 6) * L, s6);
                st(S + (j + 7) * L, s7);
            }
            for (; j < n; ++j) {
                vf s0{};
                const float* k0 = kp[j];
                for (int64_t d = 0; d < dh; ++d) s0 += ld(qt + d * L) * k0[d];
                st(S + j * L, s0);
            }
            // Causal mask where the tile reaches past the smallest position of the group.
            const vf nctx = ld(nc + grp * L);
            if (t0 + n > lo)
                for (j = 0; j < n; ++j) {
                    const vf s = ld(S + j * L);
                    st(S + j * L, splat(static_cast<float>(t0 + j)) < nctx ? s : splat(-INFINITY));
                }
            // Online softmax.
            vf tmax = splat(-INFINITY);
            for (j = 0; j < n; ++j) tmax = vmax(tmax, ld(S + j * L));
            const vf m_old = ld(mx + grp * L), m_new = vmax(m_old, tmax);
            const vf corr = vexp(m_old - m_new);
            vf sum{};
            for (j = 0; j < n; ++j) {
                const vf p = vexp(ld(S + j * L) - m_new);
                st(S + j * L, p);
                sum += p;
            }
            st(mx + grp * L, m_new);
            st(ls + grp * L, ld(ls + grp * L) * corr + sum);
            if (dmajor) {  // oT is [M, dh]: o_q = o_q·corr_q + Σ_j p_qj v_j, the same chain per (q, d)
                float corr_q[L];
                st(corr_q, corr);
                // Eight (query, dimension-vector) chains at a time keep the FMA units busy.
                const int64_t nv = dh / L, pairs = M * nv;
                int64_t p0 = 0;
                for (; p0 + 8 <= pairs; p0 += 8) {
                    vf o[8];
                    int64_t qk[8], dk[8];
#pragma GCC unroll 8
                    for (int k = 0; k < 8; ++k) {
                        qk[k] = (p0 + k) / nv, dk[k] = (p0 + k) % nv * L;
                        o[k] = ld(oT + qk[k] * dh + dk[k]) * corr_q[qk[k]];
                    }
                    for (j = 0; j < n; ++j) {
                        const float* v = vp[j];
                        const float* pj = S + j * L;
#pragma GCC unroll 8
                        for (int k = 0; k < 8; ++k) o[k] += pj[qk[k]] * ld(v + dk[k]);
                    }
#pragma GCC unroll 8
                    for (int k = 0; k < 8; ++k) st(oT + qk[k] * dh + dk[k], o[k]);
                }
                for (; p0 < pairs; ++p0) {
                    const int64_t q = p0 / nv, d = p0 % nv * L;
                    vf o = ld(oT + q * dh + d) * corr_q[q];
                    for (j = 0; j < n; ++j) o += S[j * L + q] * ld(vp[j] + d);
                    st(oT + q * dh + d, o);
                }
                continue;
            }
            // oT = oT·corr + Σ_j p_j v_j, eight head dimensions at a time.
            float* ot = oT + grp * dh * L;
            int64_t d = 0;
            for (; d + 8 <= dh; d += 8) {
                vf o0 = ld(ot + (d + 0) * L) * corr, o1 = ld(ot + (d + 1) * L) * corr,
                   o2 = ld(ot + (d + 2) * L) * corr, o3 = ld(ot + (d + 3) * L) * corr,
                   o4 = ld(ot + (d + 4) * L) * corr, o5 = ld(ot + (d + 5) * L) * corr,
                   o6 = ld(ot + (d + 6) * L) * corr, o7 = ld(ot + (d + 7) * L) * corr;
                for (j = 0; j < n; ++j) {
                    const vf p = ld(S + j * L);
                    const float* v = vp[j] + d;
                    o0 += p * v[0];
                    o1 += p * v[1];
                    o2 += p * v[2];
                    o3 += p * v[3];
                    o4 += p * v[4];
                    o5 += p * v[5];
                    o6 += p * v[6];
                    o7 += p * v[7];
                }
                st(ot + (d + 0) * L, o0);
                st(ot + (d + 1) * L, o1);
                st(ot + (d + 2) * L, o2);
                st(ot + (d + 3) * L, o3);
                st(ot + (d + 4) * L, o4);
                st(ot + (d + 5) * L, o5);
                st(ot + (d + 6) * L, o6);
                st(ot + (d + 7) * L, o7);
            }
            for (; d < dh; ++d) {
                vf o0 = ld(ot + d * L) * corr;
                for (j = 0; j < n; ++j) o0 += ld(S + j * L) * vp[j][d];
                st(ot + d * L, o0);
            }
        }
    }
    for (int64_t q = 0; q < M; ++q) {
        const int64_t grp = q / L, lane = q % L, i = q / G, h = g * G + q % G;
        const float inv = 1.0f / ls[q];
        const float* ot = dmajor ? oT + q * dh : oT + grp * dh * L + lane;
        const int64_t step = dmajor ? 1 : L;
        float* dst = a.out + i * a.ldo + h * dh;
        for (int64_t d = 0; d < dh; ++d) dst[d] = ot[d * step] * inv;
    }
}

}  // namespace
}  // namespace hy::kernels
