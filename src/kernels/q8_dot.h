// Q8_0 weights times int8-quantised activations (issue 10), the way llama.cpp multiplies Q8_0:
// each activation row is quantised once per matmul call to blocks of 32 int8 with one fp32 scale
// (shared by every weight row), the per-block products are integer dot products (AVX-512 VNNI
// `vpdpbusd`, AVX2 `vpmaddubsw` + `vpmaddwd`), and one fp32 FMA per block applies d_w·d_x.
//
// Every path computes, for each output, exactly
//     acc = 0;  for each block b in order:  acc = fma(float(I_b), d_w,b · d_x,b, acc)
// with I_b = Σ_j w_bj·q_bj computed exactly in int32, so all ISAs give bit-identical results
// (tests/unit/kernels/q8_dot_test.cpp checks this against the scalar reference).
//
// Numerics: this is not the dequantised matrix times the fp32 activations (the exact path, kept
// behind HYSERVE_Q8_ACTIVATIONS=f32): the activation rounding adds ~1e-2 rel. L2 per product
// (docs/performance.md, "Fidelity").
#pragma once

#include <cstdint>

#include "kernels/isa.h"

namespace hy::kernels {

constexpr int64_t kQ8Block = 32;  // values per Q8_0 block, weights and activations alike

// One matmul call's activations, quantised (token t's block b holds q[t*n + 32b ..], d[t*nb + b]).
struct Q8Acts {
    int64_t n = 0;                  // values per token (a multiple of 32)
    int64_t T = 0;                  // tokens
    const int8_t* q = nullptr;      // [T][n], each in [-127, 127]
    const float* d = nullptr;       // [T][n/32] block scales: x ≈ d·q
    const int32_t* corr = nullptr;  // [T][n/32] = -128·Σ_j q_bj (see q8_dot_avx512.cpp: unsigned weights)
};

struct Q8Kernels {
    Isa isa;
    // Quantises n values (n a multiple of 32): d = amax/127, q = round-to-nearest-even(x·(1/d)).
    void (*quantize)(const float* x, int64_t n, int8_t* q, float* d, int32_t* corr);
    // y[t*ldy + r] = Σ_b d_w,b·d_x,b·I_b for r < rows, t < a.T; w: rows of GGML Q8_0 blocks
    // ({f16 d; int8 q[32]}), row_bytes apart, a.n columns.
    void (*matmul)(const uint8_t* w, int64_t row_bytes, int64_t rows, const Q8Acts& a, float* y, int64_t ldy);
};

// The best path best_isa() allows: AVX-512 needs VNNI too (else the AVX2 path runs).
const Q8Kernels& q8_kernels();
const Q8Kernels& q8_kernels(Isa isa);  // a specific path (q8_isa_supported(isa) must hold)
bool q8_isa_supported(Isa isa);

// Whether Q8_0 weights take this path (default) or the exact fp32-activation path
// (HYSERVE_Q8_ACTIVATIONS=f32). Tests can force either.
bool q8_activations_quantised();
void set_q8_activations_override(bool quantised);
void clear_q8_activations_override();

}  // namespace hy::kernels
