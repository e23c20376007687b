// Helpers shared by the kernel tests: seeded random data (floats, weight matrices of any dtype) and the
// ISA paths this CPU supports.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "core/dtype.h"
#include "kernels/isa.h"
#include "model/dequant.h"
#include "model/tensor.h"

namespace hy::test {

inline std::vector<float> random_floats(int64_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> d(lo, hi);
    std::vector<float> v(static_cast<size_t>(n));
    for (auto& x : v) x = d(rng);
    return v;
}

struct Weights {
    std::vector<uint8_t> bytes;
    TensorView view;
    // A BF16 matrix's elements (bf16_dot_matmul takes them as uint16_t).
    const uint16_t* bf16() const { return reinterpret_cast<const uint16_t*>(bytes.data()); }
};

// Random rows x cols weights stored as `dt`.
inline Weights make_weights(DType dt, int64_t rows, int64_t cols, uint32_t seed) {
    Weights w;
    const std::vector<float> f = test::random_floats(rows * cols, seed);
    const uint64_t rb = dtype_bytes(dt, static_cast<uint64_t>(cols));
    w.bytes.resize(rb * static_cast<uint64_t>(rows));
    std::mt19937 rng(seed + 7);
    for (int64_t r = 0; r < rows; ++r) {
        uint8_t* dst = w.bytes.data() + rb * static_cast<uint64_t>(r);
        const float* src = f.data() + r * cols;
        switch (dt) {
            case DType::F32:
                std::memcpy(dst, src, static_cast<size_t>(cols) * 4);
                break;
            case DType::BF16:
            case DType::F16:
                for (int64_t i = 0; i < cols; ++i) {
                    const uint16_t h = dt == DType::BF16 ? f32_to_bf16(src[i]) : f32_to_f16(src[i]);
                    std::memcpy(dst + 2 * i, &h, 2);
                }
                break;
            case DType::Q8_0:
                quantize_row_q8_0(src, dst, cols);
                break;
            case DType::Q4_0:
                quantize_row_q4_0(src, dst, cols);
                break;
            default:  // F8 / K-quants: random bytes with small finite fp16 scales
                for (uint64_t i = 0; i < rb; ++i) dst[i] = static_cast<uint8_t>(rng());
                if (dt == DType::F8_E4M3)
                    for (uint64_t i = 0; i < rb; ++i)
                        if ((dst[i] & 0x7f) == 0x7f) dst[i] = 0x10;  // no NaN codes
                if (dt == DType::Q4_K)
                    for (uint64_t b = 0; b < rb; b += 144) {
                        const uint16_t d = f32_to_f16(0.01f), m = f32_to_f16(0.02f);
                        std::memcpy(dst + b, &d, 2);
                        std::memcpy(dst + b + 2, &m, 2);
                    }
                if (dt == DType::Q6_K)
                    for (uint64_t b = 0; b < rb; b += 210) {
                        const uint16_t d = f32_to_f16(0.003f);
                        std::memcpy(dst + b + 208, &d, 2);
                    }
        }
    }
    w.view.dtype = dt;
    w.view.shape = {rows, cols};
    w.view.data = w.bytes.data();
    w.view.nbytes = w.bytes.size();
    w.view.scale = dt == DType::F8_E4M3 ? 0.5f : 1.0f;
    return w;
}

inline std::vector<kernels::Isa> supported_isas() {
    std::vector<kernels::Isa> out;
    for (auto i : {kernels::Isa::SCALAR, kernels::Isa::AVX2, kernels::Isa::AVX512})
        if (kernels::isa_supported(i)) out.push_back(i);
    return out;
}

// Forces one ISA for the lifetime of the object.
struct IsaScope {
    explicit IsaScope(kernels::Isa isa) { kernels::set_isa_override(isa); }
    ~IsaScope() { kernels::clear_isa_override(); }
};

inline double rel_l2(const float* a, const float* b, int64_t n) {
    double num = 0, den = 0;
    for (int64_t i = 0; i < n; ++i) {
        num += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
        den += static_cast<double>(b[i]) * b[i];
    }
    return den == 0 ? std::sqrt(num) : std::sqrt(num / den);
}

}  // namespace hy::test
