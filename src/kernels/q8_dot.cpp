#include "kernels/q8_dot.h"

#include <xmmintrin.h>

#include <atomic>
#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "core/dtype.h"
#include "core/error.h"
#include "kernels/q8_tables.h"

namespace hy::kernels {

namespace {

// The scalar reference: the definition every vector path matches bit for bit.
void quantize_scalar(const float* x, int64_t n, int8_t* q, float* d, int32_t* corr) {
    for (int64_t b = 0; b < n / kQ8Block; ++b, x += kQ8Block, q += kQ8Block) {
        float amax = 0.0f;
        for (int j = 0; j < kQ8Block; ++j) amax = std::fabs(x[j]) > amax ? std::fabs(x[j]) : amax;
        // A scale below FLT_MIN would make 1/d overflow: such a block quantises to zeros.
        float db = amax / 127.0f;
        if (!(db >= FLT_MIN)) db = 0.0f;
        const float id = db != 0.0f ? 1.0f / db : 0.0f;
        int32_t s = 0;
        for (int j = 0; j < kQ8Block; ++j) {
            // cvtss2si rounds to nearest even under the default MXCSR, like the vector conversions.
            const int v = _mm_cvtss_si32(_mm_set_ss(x[j] * id));
            q[j] = static_cast<int8_t>(v);
            s += q[j];
        }
        d[b] = db;
        corr[b] = -128 * s;
    }
}

void matmul_scalar(const uint8_t* w, int64_t row_bytes, int64_t rows, const Q8Acts& a, float* y,
                   int64_t ldy) {
    const int64_t nb = a.n / kQ8Block;
    for (int64_t t = 0; t < a.T; ++t)
        for (int64_t r = 0; r < rows; ++r) {
            const uint8_t* p = w + r * row_bytes;
            const int8_t* xq = a.q + t * a.n;
            float acc = 0.0f;
            for (int64_t b = 0; b < nb; ++b, p += 2 + kQ8Block) {
                int32_t I = 0;
                for (int j = 0; j < kQ8Block; ++j)
                    I += static_cast<int8_t>(p[2 + j]) * static_cast<int32_t>(xq[kQ8Block * b + j]);
                uint16_t h;
                std::memcpy(&h, p, 2);
                acc = std::fma(static_cast<float>(I), f16_to_f32(h) * a.d[t * nb + b], acc);
            }
            y[t * ldy + r] = acc;
        }
}

std::atomic<int> g_override{-1};

}  // namespace

const Q8Kernels& q8_table_scalar() {
    static constexpr Q8Kernels t{Isa::SCALAR, quantize_scalar, matmul_scalar};
    return t;
}

bool q8_isa_supported(Isa isa) {
    if (isa == Isa::AVX512) return isa_supported(isa) && __builtin_cpu_supports("avx512vnni");
    return isa_supported(isa);
}

const Q8Kernels& q8_kernels(Isa isa) {
    HY_ASSERT(q8_isa_supported(isa));
    switch (isa) {
        case Isa::AVX512:
            return q8_table_avx512();
        case Isa::AVX2:
            return q8_table_avx2();
        case Isa::SCALAR:
            break;
    }
    return q8_table_scalar();
}

const Q8Kernels& q8_kernels() {
    const Isa best = best_isa();
    if (best == Isa::AVX512 && q8_isa_supported(Isa::AVX512)) return q8_table_avx512();
    return q8_kernels(best == Isa::SCALAR ? Isa::SCALAR : Isa::AVX2);
}

bool q8_activations_quantised() {
    const int o = g_override.load(std::memory_order_relaxed);
    if (o >= 0) return o != 0;
    static const bool env = [] {
        const char* e = std::getenv("HYSERVE_Q8_ACTIVATIONS");
        return e == nullptr || std::strcmp(e, "f32") != 0;
    }();
    return env;
}
void set_q8_activations_override(bool quantised) {
    g_override.store(quantised ? 1 : 0);
}
void clear_q8_activations_override() {
    g_override.store(-1);
}

}  // namespace hy::kernels
