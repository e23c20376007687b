// Run-time instruction-set selection. Hot loops are compiled three times (baseline x86-64, AVX2,
// AVX-512; files *_avx2.cpp / *_avx512.cpp get those flags) and exposed as one KernelTable each;
// kernels() returns the best table the CPU supports. HYSERVE_ISA=scalar|avx2 forces a lower path
// (tests run every path the CPU has).
#pragma once

#include <cstdint>

namespace hy::kernels {

enum class Isa { SCALAR, AVX2, AVX512 };

const char* isa_name(Isa isa);
Isa best_isa();               // what the CPU supports, capped by HYSERVE_ISA
bool isa_supported(Isa isa);  // CPU support only, ignoring HYSERVE_ISA

// The per-ISA inner loops. All operate on fp32 activations; weights arrive as fp32, BF16 or F16.
struct KernelTable {
    Isa isa;
    float (*dot_f32)(const float* a, const float* b, int64_t n);
    float (*dot_bf16)(const uint16_t* w, const float* x, int64_t n);
    float (*dot_f16)(const uint16_t* w, const float* x, int64_t n);
    void (*bf16_to_f32)(const uint16_t* src, float* dst, int64_t n);
    void (*f16_to_f32)(const uint16_t* src, float* dst, int64_t n);
    // y[t*ldy + r] = dot(w[r*ldw .. +n], x[t*ldx .. +n]) for r < rows, t < T (a GEMM tile with
    // row reuse: each weight row is read once per 4 tokens from cache).
    void (*gemm_f32)(const float* w, int64_t ldw, int64_t rows, const float* x, int64_t ldx, int64_t T,
                     int64_t n, float* y, int64_t ldy);
    // The same product for an F32 matrix repacked in 16-row panels (f32_panels.h), `panels` at the
    // panel of its first row: each output is one lane summed in k order, so its bits do not depend on
    // T, the tile or the row split. Rows up to readable_rows (>= rows, from the same first row) exist
    // and may be prefetched.
    void (*gemm_f32_panels)(const float* panels, int64_t n, int64_t rows, int64_t readable_rows,
                            const float* x, int64_t ldx, int64_t T, float* y, int64_t ldy);
    // y += a * x
    void (*axpy)(float a, const float* x, float* y, int64_t n);
    // One SSM head over T tokens, token-serial (spec §2.2.6); see ssm_scan.h for the layout.
    void (*ssm_serial_head)(const struct SsmHeadArgs& a);
    // SSD chunked scan for the heads [h0, h1) of one group (spec §2.4).
    void (*ssm_chunked_group)(const struct SsmGroupArgs& a);
    // Decode GEMV (issue 10): y[r] = W[r]·x for r < rows, weights converted in registers. ldw in
    // elements for BF16/F16, in bytes for Q8_0 (n a multiple of 32 there).
    void (*gemv_bf16)(const uint16_t* w, int64_t ldw, int64_t rows, const float* x, int64_t n, float* y);
    void (*gemv_f16)(const uint16_t* w, int64_t ldw, int64_t rows, const float* x, int64_t n, float* y);
    void (*gemv_q8_0)(const uint8_t* w, int64_t row_bytes, int64_t rows, const float* x, int64_t n, float* y);
    void (*q8_0_to_f32)(const uint8_t* src, float* dst, int64_t n);
    // x = silu(x) in place, and out = y ⊙ silu(z) (the Mamba2 conv and gate, spec §2.2.2, §2.2.7):
    // a vector e^x (vec_exp.h, about 1 ulp) instead of libm's, the same bits for every element of a row.
    void (*silu)(float* x, int64_t n);
    void (*mul_silu)(const float* y, const float* z, float* out, int64_t n);
    // The outputs of the Mamba2 causal conv + SiLU (conv1d.h ConvArgs), W channels per vector.
    void (*conv1d_silu_rows)(const struct ConvArgs& a);
};

const KernelTable& kernels();         // best_isa()'s table (cached; reread after set_isa_override)
const KernelTable& kernels(Isa isa);  // a specific table (must be supported)
void set_isa_override(Isa isa);       // tests: force a path process-wide
void clear_isa_override();

}  // namespace hy::kernels
