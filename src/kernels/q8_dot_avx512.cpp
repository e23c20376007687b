// AVX-512 VNNI copy of the Q8_0 x Q8 kernels (q8_dot.h).
//
// vpdpbusd multiplies UNSIGNED bytes by SIGNED bytes. AVX-512 has no vpsignb on zmm, so instead of
// the |w| / sign-transfer trick (q8_dot_avx2.cpp) the weights are biased: w ^ 0x80 reads as the
// unsigned w + 128, and Σ_j (w_j + 128)·q_j = Σ_j w_j·q_j + 128·Σ_j q_j. The correction
// -128·Σ_j q_j depends on the activation block only, so the quantiser stores it once per block
// (Q8Acts::corr) and it seeds the int32 accumulator: one xor per weight vector, no extra multiply.
// vpdpbusd does not saturate (four products of at most 255·127 per int32 lane), so I_b is exact.
//
// Decode (T <= 4): the shared GEMV (q8_dot_impl.h) with a 256-bit vpdpbusd per block.
// Prefill: each 16-row panel is repacked (once per call, into a per-thread buffer) so that one zmm
// holds 4 consecutive weights of each of the 16 rows; a token's 4 activation bytes are broadcast and
// one vpdpbusd advances all 16 rows. A block then costs 8 vpdpbusd per token, and the fp32 work
// (convert, scale, FMA) is one zmm op each per 16 rows instead of per row; 4 tokens share each
// load of the panel.
#include <vector>

#include "kernels/q8_dot_impl.h"

// GCC 12 reports the deliberately undefined pass-through operand inside avx512fintrin.h's
// _mm512_cvtepi32_ps as "may be used uninitialized" (as in kernel_impl.h).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include "kernels/q8_tables.h"

namespace hy::kernels {

namespace {

inline __m256i dot_vnni(__m256i w, __m256i x, __m256i corr) {
    return _mm256_dpbusd_epi32(corr, _mm256_xor_si256(w, _mm256_set1_epi8(static_cast<char>(0x80))), x);
}

constexpr int64_t kPanelRows = 16;
// One block of a panel: 8 groups of {16 rows x 4 biased weights} (512 bytes), then 16 fp32 scales.
constexpr int64_t kPanelBlockBytes = 8 * 64 + kPanelRows * 4;

// Rows [0, nr) of the stored matrix into the panel layout; rows past nr repeat the last one. Per block
// an 8x8 dword transpose in each 256-bit half of eight zmm (rows i and i+8 side by side): unpack
// dwords, unpack qwords, then one two-source permute per output puts rows 0-3, 4-7, 8-11, 12-15 of a
// dword column together. (Sixteen-lane gathers did the same at ~5x the cost: they were 40% of prefill.)
void pack_panel(const uint8_t* w, int64_t row_bytes, int64_t nr, int64_t nb, uint8_t* out) {
    const uint8_t* row[kPanelRows];
    for (int64_t i = 0; i < kPanelRows; ++i) row[i] = w + std::min(i, nr - 1) * row_bytes;
    const __m512i bias = _mm512_set1_epi8(static_cast<char>(0x80));
    const __m512i lo = _mm512_setr_epi64(0, 1, 8, 9, 4, 5, 12, 13),
                  hi = _mm512_setr_epi64(2, 3, 10, 11, 6, 7, 14, 15);
    for (int64_t b = 0, o = 0; b < nb; ++b, o += kQ8BlockBytes, out += kPanelBlockBytes) {
        __m512i z[8], t[8], u[8];
        for (int i = 0; i < 8; ++i)
            z[i] = _mm512_inserti64x4(_mm512_castsi256_si512(loadu256(row[i] + o + 2)),
                                      loadu256(row[i + 8] + o + 2), 1);
        for (int i = 0; i < 8; i += 2) {
            t[i] = _mm512_unpacklo_epi32(z[i], z[i + 1]);
            t[i + 1] = _mm512_unpackhi_epi32(z[i], z[i + 1]);
        }
        for (int h = 0; h < 8; h += 4) {
            u[h] = _mm512_unpacklo_epi64(t[h], t[h + 2]);
            u[h + 1] = _mm512_unpackhi_epi64(t[h], t[h + 2]);
            u[h + 2] = _mm512_unpacklo_epi64(t[h + 1], t[h + 3]);
            u[h + 3] = _mm512_unpackhi_epi64(t[h + 1], t[h + 3]);
        }
        // u[k], 128-bit lanes: dword k of rows 0-3, dword k+4 of rows 0-3, the same of rows 8-11;
        // u[k+4]: rows 4-7 and 12-15.
        for (int k = 0; k < 4; ++k) {
            _mm512_store_si512(out + 64 * k,
                               _mm512_xor_si512(_mm512_permutex2var_epi64(u[k], lo, u[k + 4]), bias));
            _mm512_store_si512(out + 64 * (k + 4),
                               _mm512_xor_si512(_mm512_permutex2var_epi64(u[k], hi, u[k + 4]), bias));
        }
        alignas(32) uint16_t sc[kPanelRows];
        for (int64_t i = 0; i < kPanelRows; ++i) sc[i] = rd16(row[i] + o);
        _mm512_store_ps(out + 512, _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(sc))));
    }
}

inline __m512i bcast4(const int8_t* p) {
    int32_t v;
    std::memcpy(&v, p, 4);
    return _mm512_set1_epi32(v);
}

// NT tokens x one 16-row panel; y points at row 0 of the panel for token 0.
template <int NT>
inline void panel_tile(const uint8_t* pk, int64_t nb, const Q8Acts& a, int64_t t0, float* y, int64_t ldy,
                       __mmask16 mask) {
    __m512 f[NT];
    for (int t = 0; t < NT; ++t) f[t] = _mm512_setzero_ps();
    const int8_t* xq = a.q + t0 * a.n;
    const float* dx = a.d + t0 * nb;
    const int32_t* cr = a.corr + t0 * nb;
    for (int64_t b = 0; b < nb; ++b, pk += kPanelBlockBytes) {
        __m512i wv[8];
        for (int g = 0; g < 8; ++g) wv[g] = _mm512_load_si512(pk + 64 * g);
        const __m512 dw = _mm512_load_ps(pk + 512);
        for (int t = 0; t < NT; ++t) {
            const int8_t* xb = xq + t * a.n + kQ8Block * b;
            // Two accumulators halve the vpdpbusd dependency chain.
            __m512i s0 = _mm512_set1_epi32(cr[t * nb + b]), s1 = _mm512_setzero_si512();
            for (int g = 0; g < 8; g += 2) {
                s0 = _mm512_dpbusd_epi32(s0, wv[g], bcast4(xb + 4 * g));
                s1 = _mm512_dpbusd_epi32(s1, wv[g + 1], bcast4(xb + 4 * g + 4));
            }
            f[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(s0, s1)),
                                   _mm512_mul_ps(dw, _mm512_set1_ps(dx[t * nb + b])), f[t]);
        }
    }
    for (int t = 0; t < NT; ++t) _mm512_mask_storeu_ps(y + t * ldy, mask, f[t]);
}

void matmul_vnni(const uint8_t* w, int64_t row_bytes, int64_t rows, const Q8Acts& a, float* y, int64_t ldy) {
    if (a.T <= kQ8GemvTokens) {
        matmul_by_rows(dot_vnni, w, row_bytes, rows, a, y, ldy);
        return;
    }
    const int64_t nb = a.n / kQ8Block;
    // Per-thread panel buffer (pool threads are persistent: it grows only for a wider matrix).
    thread_local std::vector<uint8_t> buf;
    const size_t need = static_cast<size_t>(nb * kPanelBlockBytes + 64);
    if (buf.size() < need) buf.resize(need);
    uint8_t* pk = buf.data() + ((64 - reinterpret_cast<uintptr_t>(buf.data()) % 64) % 64);
    for (int64_t r0 = 0; r0 < rows; r0 += kPanelRows) {
        const int64_t nr = std::min(kPanelRows, rows - r0);
        pack_panel(w + r0 * row_bytes, row_bytes, nr, nb, pk);
        const __mmask16 mask = static_cast<__mmask16>((1u << nr) - 1);
        float* yr = y + r0;
        int64_t t = 0;
        for (; t + 4 <= a.T; t += 4) panel_tile<4>(pk, nb, a, t, yr + t * ldy, ldy, mask);
        switch (a.T - t) {
            case 3:
                panel_tile<3>(pk, nb, a, t, yr + t * ldy, ldy, mask);
                break;
            case 2:
                panel_tile<2>(pk, nb, a, t, yr + t * ldy, ldy, mask);
                break;
            case 1:
                panel_tile<1>(pk, nb, a, t, yr + t * ldy, ldy, mask);
                break;
            default:
                break;
        }
    }
}

}  // namespace

const Q8Kernels& q8_table_avx512() {
    static constexpr Q8Kernels t{Isa::AVX512, quantize_avx2, matmul_vnni};
    return t;
}

}  // namespace hy::kernels
