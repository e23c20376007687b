#include "kernels/quant_rows.h"

#include <cstring>

#include "core/error.h"
#include "kernels/isa.h"

namespace hy::kernels {

namespace {

uint16_t rd16(const uint8_t* p) {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
}

void q4_0(const uint8_t* b, float* y, int64_t n) {  // {f16 d; u8 q[16]}: low nibbles first, then high
    for (int64_t i = 0; i < n; i += 32, b += 18) {
        const float d = f16_to_f32(rd16(b));
        for (int j = 0; j < 16; ++j) {
            y[i + j] = d * static_cast<float>((b[2 + j] & 0xF) - 8);
            y[i + j + 16] = d * static_cast<float>((b[2 + j] >> 4) - 8);
        }
    }
}

// 6-bit scale and min of sub-block j of a Q4_K super-block (12 packed bytes).
void scale_min_k4(int j, const uint8_t* q, uint8_t& sc, uint8_t& m) {
    if (j < 4) {
        sc = q[j] & 63;
        m = q[j + 4] & 63;
    } else {
        sc = static_cast<uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        m = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

void q4_k(const uint8_t* b, float* y, int64_t n) {  // {f16 d, dmin; u8 scales[12]; u8 qs[128]}
    for (int64_t i = 0; i < n; i += 256, b += 144) {
        const float d = f16_to_f32(rd16(b)), dmin = f16_to_f32(rd16(b + 2));
        const uint8_t* scales = b + 4;
        const uint8_t* q = b + 16;
        float* out = y + i;
        for (int j = 0; j < 256; j += 64, q += 32) {
            uint8_t sc, m;
            scale_min_k4(j / 32, scales, sc, m);
            const float d1 = d * sc, m1 = dmin * m;
            scale_min_k4(j / 32 + 1, scales, sc, m);
            const float d2 = d * sc, m2 = dmin * m;
            for (int l = 0; l < 32; ++l) out[j + l] = d1 * static_cast<float>(q[l] & 0xF) - m1;
            for (int l = 0; l < 32; ++l) out[j + 32 + l] = d2 * static_cast<float>(q[l] >> 4) - m2;
        }
    }
}

void q6_k(const uint8_t* b, float* y, int64_t n) {  // {u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d}
    for (int64_t i = 0; i < n; i += 256, b += 210) {
        const uint8_t* ql = b;
        const uint8_t* qh = b + 128;
        const int8_t* sc = reinterpret_cast<const int8_t*>(b + 192);
        const float d = f16_to_f32(rd16(b + 208));
        float* out = y + i;
        for (int half = 0; half < 2; ++half, ql += 64, qh += 32, sc += 8, out += 128) {
            for (int l = 0; l < 32; ++l) {
                const int is = l / 16;
                const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                out[l] = d * sc[is] * static_cast<float>(q1);
                out[l + 32] = d * sc[is + 2] * static_cast<float>(q2);
                out[l + 64] = d * sc[is + 4] * static_cast<float>(q3);
                out[l + 96] = d * sc[is + 6] * static_cast<float>(q4);
            }
        }
    }
}

}  // namespace

void convert_row(DType dtype, const uint8_t* src, float* dst, int64_t n, float scale) {
    switch (dtype) {
        case DType::F32:
            std::memcpy(dst, src, static_cast<size_t>(n) * 4);
            return;
        case DType::BF16:
            kernels().bf16_to_f32(reinterpret_cast<const uint16_t*>(src), dst, n);
            return;
        case DType::F16:
            kernels().f16_to_f32(reinterpret_cast<const uint16_t*>(src), dst, n);
            return;
        case DType::F8_E4M3:
            for (int64_t i = 0; i < n; ++i) dst[i] = f8e4m3_to_f32(src[i]) * scale;
            return;
        case DType::Q8_0:
            kernels().q8_0_to_f32(src, dst, n);
            return;
        case DType::Q4_0:
            q4_0(src, dst, n);
            return;
        case DType::Q4_K:
            q4_k(src, dst, n);
            return;
        case DType::Q6_K:
            q6_k(src, dst, n);
            return;
        default:
            break;
    }
    throw Error(std::string("matmul: unsupported weight dtype ") + dtype_name(dtype), 500,
                "model_file_error");
}

}  // namespace hy::kernels
