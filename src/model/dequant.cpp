#include "model/dequant.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"

namespace hy {

namespace {

template <typename T>
T load(const uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
}

void dequant_q8_0(const uint8_t* src, float* dst, int64_t nb) {
    for (int64_t b = 0; b < nb; ++b, src += sizeof(BlockQ8_0), dst += 32) {
        const float d = f16_to_f32(load<uint16_t>(src));
        const int8_t* q = reinterpret_cast<const int8_t*>(src + 2);
        for (int i = 0; i < 32; ++i) dst[i] = d * static_cast<float>(q[i]);
    }
}

void dequant_q4_0(const uint8_t* src, float* dst, int64_t nb) {
    for (int64_t b = 0; b < nb; ++b, src += sizeof(BlockQ4_0), dst += 32) {
        const float d = f16_to_f32(load<uint16_t>(src));
        const uint8_t* qs = src + 2;
        for (int i = 0; i < 16; ++i) {
            dst[i] = d * static_cast<float>((qs[i] & 0x0f) - 8);
            dst[i + 16] = d * static_cast<float>((qs[i] >> 4) - 8);
        }
    }
}

// The 6-bit scale and min of sub-block j (0..7) of a Q4_K super-block.
inline void q4k_scale_min(int j, const uint8_t* s, int* sc, int* m) {
    if (j < 4) {
        *sc = s[j] & 63;
        *m = s[j + 4] & 63;
    } else {
        *sc = (s[j + 4] & 0x0f) | ((s[j - 4] >> 6) << 4);
        *m = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
    }
}

void dequant_q4_k(const uint8_t* src, float* dst, int64_t nb) {
    for (int64_t b = 0; b < nb; ++b, src += sizeof(BlockQ4_K)) {
        BlockQ4_K blk;
        std::memcpy(&blk, src, sizeof blk);
        const float d = f16_to_f32(blk.d);
        const float dmin = f16_to_f32(blk.dmin);
        const uint8_t* q = blk.qs;
        for (int c = 0; c < 4; ++c, q += 32) {
            int sc0, m0, sc1, m1;
            q4k_scale_min(2 * c, blk.scales, &sc0, &m0);
            q4k_scale_min(2 * c + 1, blk.scales, &sc1, &m1);
            const float d0 = d * static_cast<float>(sc0), mm0 = dmin * static_cast<float>(m0);
            const float d1 = d * static_cast<float>(sc1), mm1 = dmin * static_cast<float>(m1);
            for (int l = 0; l < 32; ++l) *dst++ = d0 * static_cast<float>(q[l] & 0x0f) - mm0;
            for (int l = 0; l < 32; ++l) *dst++ = d1 * static_cast<float>(q[l] >> 4) - mm1;
        }
    }
}

void dequant_q6_k(const uint8_t* src, float* dst, int64_t nb) {
    for (int64_t b = 0; b < nb; ++b, src += sizeof(BlockQ6_K)) {
        BlockQ6_K blk;
        std::memcpy(&blk, src, sizeof blk);
        const float d = f16_to_f32(blk.d);
        const uint8_t* ql = blk.ql;
        const uint8_t* qh = blk.qh;
        const int8_t* sc = blk.scales;
        for (int h = 0; h < 2; ++h, ql += 64, qh += 32, sc += 8, dst += 128) {
            for (int l = 0; l < 32; ++l) {
                const int is = l / 16;
                const int q1 = ((ql[l] & 0x0f) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = ((ql[l + 32] & 0x0f) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                dst[l] = d * static_cast<float>(sc[is] * q1);
                dst[l + 32] = d * static_cast<float>(sc[is + 2] * q2);
                dst[l + 64] = d * static_cast<float>(sc[is + 4] * q3);
                dst[l + 96] = d * static_cast<float>(sc[is + 6] * q4);
            }
        }
    }
}

template <typename T>
void convert(const uint8_t* src, float* dst, int64_t n) {
    for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<float>(load<T>(src + i * sizeof(T)));
}

}  // namespace

void dequantize_row(DType t, const uint8_t* src, float* dst, int64_t n) {
    HY_ASSERT(n >= 0 && dtype_row_ok(t, static_cast<uint64_t>(n)));
    switch (t) {
        case DType::F32:
            std::memcpy(dst, src, static_cast<size_t>(n) * 4);
            return;
        case DType::F16:
            for (int64_t i = 0; i < n; ++i) dst[i] = f16_to_f32(load<uint16_t>(src + 2 * i));
            return;
        case DType::BF16:
            for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_f32(load<uint16_t>(src + 2 * i));
            return;
        case DType::F8_E4M3:
            for (int64_t i = 0; i < n; ++i) dst[i] = f8e4m3_to_f32(src[i]);
            return;
        case DType::Q8_0:
            dequant_q8_0(src, dst, n / 32);
            return;
        case DType::Q4_0:
            dequant_q4_0(src, dst, n / 32);
            return;
        case DType::Q4_K:
            dequant_q4_k(src, dst, n / 256);
            return;
        case DType::Q6_K:
            dequant_q6_k(src, dst, n / 256);
            return;
        case DType::I8:
            convert<int8_t>(src, dst, n);
            return;
        case DType::I16:
            convert<int16_t>(src, dst, n);
            return;
        case DType::I32:
            convert<int32_t>(src, dst, n);
            return;
        case DType::I64:
            convert<int64_t>(src, dst, n);
            return;
        case DType::F64:
            convert<double>(src, dst, n);
            return;
        case DType::U8:
            convert<uint8_t>(src, dst, n);
            return;
        case DType::BOOL:
            for (int64_t i = 0; i < n; ++i) dst[i] = src[i] ? 1.0f : 0.0f;
            return;
    }
    HY_ASSERT(false && "unknown dtype");
}

std::vector<float> tensor_to_f32(const TensorView& t) {
    const int64_t n = t.numel();
    std::vector<float> out(static_cast<size_t>(n));
    if (n == 0) return out;
    HY_ASSERT(t.data != nullptr && t.nbytes == dtype_bytes(t.dtype, static_cast<uint64_t>(n)));
    dequantize_row(t.dtype, t.data, out.data(), n);
    if (t.scale != 1.0f)
        for (float& v : out) v *= t.scale;
    return out;
}

void quantize_row_q8_0(const float* src, uint8_t* dst, int64_t n) {
    HY_ASSERT(n % 32 == 0);
    for (int64_t b = 0; b < n / 32; ++b, src += 32, dst += sizeof(BlockQ8_0)) {
        float amax = 0.0f;
        for (int i = 0; i < 32; ++i) amax = std::max(amax, std::fabs(src[i]));
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        const uint16_t dh = f32_to_f16(d);
        std::memcpy(dst, &dh, 2);
        for (int i = 0; i < 32; ++i)
            dst[2 + i] = static_cast<uint8_t>(static_cast<int8_t>(std::roundf(src[i] * id)));
    }
}

void quantize_row_q4_0(const float* src, uint8_t* dst, int64_t n) {
    HY_ASSERT(n % 32 == 0);
    for (int64_t b = 0; b < n / 32; ++b, src += 32, dst += sizeof(BlockQ4_0)) {
        float amax = 0.0f, max = 0.0f;  // max: the value of largest magnitude, with its sign
        for (int i = 0; i < 32; ++i) {
            if (amax < std::fabs(src[i])) {
                amax = std::fabs(src[i]);
                max = src[i];
            }
        }
        const float d = max / -8.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        const uint16_t dh = f32_to_f16(d);
        std::memcpy(dst, &dh, 2);
        for (int i = 0; i < 16; ++i) {
            const int q0 = std::min(15, static_cast<int>(static_cast<int8_t>(src[i] * id + 8.5f)));
            const int q1 = std::min(15, static_cast<int>(static_cast<int8_t>(src[i + 16] * id + 8.5f)));
            dst[2 + i] = static_cast<uint8_t>(q0 | (q1 << 4));
        }
    }
}

}  // namespace hy
