#include "kernels/kv_convert.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/dtype.h"

namespace hy::kernels {

int64_t kv_row_bytes(KvDtype d, int64_t Hkv, int64_t dh) {
    switch (d) {
        case KvDtype::BF16:
            return Hkv * dh * 2;
        case KvDtype::FP8:
            return Hkv * dh + Hkv;
        case KvDtype::F32:
            break;
    }
    return Hkv * dh * 4;
}

uint8_t f32_to_e4m3(float x) {
    uint32_t bits;
    std::memcpy(&bits, &x, 4);
    const uint8_t sign = static_cast<uint8_t>((bits >> 24) & 0x80);
    const uint32_t abs = bits & 0x7fffffffu;
    if (abs > 0x7f800000u) return sign | 0x7f;  // NaN
    float a;
    std::memcpy(&a, &abs, 4);
    if (a < 0x1p-6f) {
        // Subnormal range: multiples of 2^-9; 8·2^-9 rounds up into the smallest normal, whose code
        // is 0x08 as well.
        return sign | static_cast<uint8_t>(std::nearbyint(a * 0x1p9f));
    }
    // Round the fp32 mantissa to 3 bits (nearest even; a carry moves into the exponent), then rebias
    // the exponent from 127 to 7; anything above 448 (0x7e) saturates.
    const uint32_t r = (abs + 0x7ffffu + ((abs >> 20) & 1u)) >> 20;
    const uint32_t code = r - ((127u - 7u) << 3);
    return sign | static_cast<uint8_t>(std::min<uint32_t>(code, 0x7e));
}

float e4m3_to_f32(uint8_t v) {
    if ((v & 0x7f) == 0x7f) return std::nanf("");
    // The 7 magnitude bits placed at the top of an fp32 mantissa/exponent give 2^(e-127)·(1+m/8) (or
    // the fp32 subnormal m·2^-129); ×2^120 rebias it to e4m3's 2^(e-7), subnormals included.
    uint32_t bits = static_cast<uint32_t>(v & 0x7f) << 20;
    float f;
    std::memcpy(&f, &bits, 4);
    f *= 0x1p120f;
    return (v & 0x80) ? -f : f;
}

int8_t fp8_scale_exponent(float amax) {
    if (!(amax > 0.0f) || !std::isfinite(amax)) return 0;
    // Smallest e with amax / 2^e <= 448, clamped so that 2^e stays a normal float.
    int e = static_cast<int>(std::ceil(std::log2(amax / 448.0f)));
    while (e > -126 && std::ldexp(amax, -(e - 1)) <= 448.0f) --e;  // log2 rounding at the edges
    while (std::ldexp(amax, -e) > 448.0f) ++e;
    return static_cast<int8_t>(std::clamp(e, -126, 127));
}

void encode_kv_row(KvDtype d, const float* src, int64_t Hkv, int64_t dh, uint8_t* dst) {
    const int64_t n = Hkv * dh;
    switch (d) {
        case KvDtype::F32:
            std::memcpy(dst, src, static_cast<size_t>(n) * 4);
            return;
        case KvDtype::BF16:
            for (int64_t i = 0; i < n; ++i) {
                const uint16_t h = f32_to_bf16(src[i]);
                std::memcpy(dst + 2 * i, &h, 2);
            }
            return;
        case KvDtype::FP8:
            for (int64_t g = 0; g < Hkv; ++g) {
                const float* x = src + g * dh;
                float amax = 0.0f;
                for (int64_t i = 0; i < dh; ++i)
                    if (std::isfinite(x[i])) amax = std::max(amax, std::fabs(x[i]));
                const int8_t e = fp8_scale_exponent(amax);
                const float inv = std::ldexp(1.0f, -e);
                for (int64_t i = 0; i < dh; ++i) dst[g * dh + i] = f32_to_e4m3(x[i] * inv);
                dst[n + g] = static_cast<uint8_t>(e);
            }
            return;
    }
}

void decode_kv_head(KvDtype d, const uint8_t* row, int64_t Hkv, int64_t dh, int64_t g, float* out) {
    switch (d) {
        case KvDtype::F32:
            std::memcpy(out, row + g * dh * 4, static_cast<size_t>(dh) * 4);
            return;
        case KvDtype::BF16:
            for (int64_t i = 0; i < dh; ++i) {
                uint16_t h;
                std::memcpy(&h, row + 2 * (g * dh + i), 2);
                out[i] = bf16_to_f32(h);
            }
            return;
        case KvDtype::FP8: {
            const float s = std::ldexp(1.0f, static_cast<int8_t>(row[Hkv * dh + g]));
            for (int64_t i = 0; i < dh; ++i) out[i] = e4m3_to_f32(row[g * dh + i]) * s;
            return;
        }
    }
}

}  // namespace hy::kernels
