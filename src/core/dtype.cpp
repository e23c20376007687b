#include "core/dtype.h"

#include <cmath>

namespace hy {

const DTypeInfo& dtype_info(DType t) {
    static const DTypeInfo table[] = {
        {"F32", 1, 4},   {"F16", 1, 2},   {"BF16", 1, 2},   {"F8_E4M3", 1, 1}, {"Q8_0", 32, 34},
        {"Q4_0", 32, 18}, {"Q4_K", 256, 144}, {"Q6_K", 256, 210}, {"I8", 1, 1},    {"I16", 1, 2},
        {"I32", 1, 4},   {"I64", 1, 8},   {"F64", 1, 8},    {"U8", 1, 1},      {"BOOL", 1, 1},
    };
    return table[static_cast<int>(t)];
}

float f16_to_f32(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t mant = h & 0x3ffu;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else {  // subnormal: renormalise
            exp = 127 - 15 + 1;
            while ((mant & 0x400u) == 0) {
                mant <<= 1;
                --exp;
            }
            mant &= 0x3ffu;
            bits = sign | (exp << 23) | (mant << 13);
        }
    } else if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (mant << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

uint16_t f32_to_f16(float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
    const uint32_t abs = bits & 0x7fffffffu;
    if (abs > 0x7f800000u) return sign | 0x7e00u;      // NaN
    if (abs >= 0x477ff000u) return sign | 0x7c00u;     // overflow -> inf (incl. rounding up)
    if (abs < 0x38800000u) {                           // subnormal or zero in f16
        if (abs < 0x33000000u) return sign;            // below half the smallest subnormal
        const uint32_t mant = (abs & 0x7fffffu) | 0x800000u;
        const int shift = 126 - static_cast<int>(abs >> 23);  // 14..24
        uint32_t half = mant >> (shift);
        const uint32_t rem = mant & ((1u << shift) - 1u);
        const uint32_t mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1u))) ++half;
        return sign | static_cast<uint16_t>(half);
    }
    uint32_t half = ((abs >> 13) - ((127 - 15) << 10));
    const uint32_t rem = abs & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (half & 1u))) ++half;
    return sign | static_cast<uint16_t>(half);
}

// OCP FP8 E4M3 (as NVIDIA FP8 checkpoints use): bias 7, no infinities, S.1111.111 is NaN.
float f8e4m3_to_f32(uint8_t v) {
    const float sign = (v & 0x80) ? -1.0f : 1.0f;
    const int exp = (v >> 3) & 0xf;
    const int mant = v & 0x7;
    if (exp == 0xf && mant == 0x7) return std::nanf("");
    if (exp == 0) return sign * std::ldexp(static_cast<float>(mant) / 8.0f, -6);
    return sign * std::ldexp(1.0f + static_cast<float>(mant) / 8.0f, exp - 7);
}

}  // namespace hy
