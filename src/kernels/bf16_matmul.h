// BF16 weights x bf16-rounded activations (issue 10), the way llama.cpp multiplies BF16 on CPUs with
// AVX-512 BF16: each activation row is rounded to bf16 (round to nearest even) once per matmul call,
// shared by every weight row, and `vdpbf16ps` multiplies two bf16 pairs per fp32 lane.
//
// Numerics: per output, acc = 0; for each pair i = (2i, 2i+1) of the row in order:
//     acc = vdpbf16ps(acc, {w_2i, w_2i+1}, {x_2i, x_2i+1})
// (the bf16 products are exact in fp32; the instruction flushes denormal inputs and outputs). Every
// token count T and every tile shape performs exactly this sequence, so a row's result does not
// depend on T or on which rows share its call: a token decoded alone gets the logits it would get
// inside a prefill chunk. Rounding the activations moves a product by ~2^-9 relative per element
// (docs/performance.md, "BF16 with bf16 activations"); HYSERVE_BF16_ACTIVATIONS=f32 keeps the exact
// fp32-activation path (kernels/matmul.cpp). Only CPUs with AVX-512 BF16 take this route; AVX2 and
// baseline keep the fp32 path (kernels/isa.h caps apply: HYSERVE_ISA=avx2 turns it off too).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/matmul.h"
#include "model/tensor.h"

namespace hy::kernels {

// One matmul call's activations rounded to bf16: token t's pair i (elements 2i and 2i+1, the low
// half first; an odd n's last pair is padded with +0) is x[t * pairs + i].
struct Bf16Acts {
    int64_t n = 0;      // values per token
    int64_t pairs = 0;  // (n + 1) / 2
    int64_t T = 0;
    const uint32_t* x = nullptr;
};

// Whether the CPU (and the HYSERVE_ISA cap / test override) allows the vdpbf16ps kernels.
bool bf16_dot_supported();

// Whether BF16 weights take this route (default where supported) or the exact fp32-activation path
// (HYSERVE_BF16_ACTIVATIONS=f32). Tests can force either.
bool bf16_activations_rounded();
void set_bf16_activations_override(bool rounded);
void clear_bf16_activations_override();

// True when W is BF16, the CPU has AVX-512 BF16 and the switch is on.
bool bf16_route(const TensorView& W);

// The AVX-512 BF16 kernels (bf16_dot_avx512.cpp; call only when bf16_dot_supported()).
// Rounds n floats to bf16 pairs (out: (n + 1) / 2 dwords).
void bf16_round_pairs(const float* x, int64_t n, uint32_t* out);
// y[t*ldy + r] = the sequence above for r < rows, t < a.T; w: rows of a.n bf16, ldw elements apart.
void bf16_dot_matmul(const uint16_t* w, int64_t ldw, int64_t rows, const Bf16Acts& a, float* y, int64_t ldy);

// The same for rows already in 16-row panels (pair i of panel row r at pk[16 * i + r], panels
// consecutive): `rows` a multiple of 16; the result bits equal bf16_dot_matmul's on the rows as stored.
void bf16_dot_matmul_panels(const uint32_t* pk, int64_t rows, const Bf16Acts& a, float* y, int64_t ldy);
// Rewrites rows [0, 16 * (rows / 16)) of a row-major [rows, n] BF16 matrix (n even) as those panels, in
// place: each panel takes the bytes of its 16 rows. Decode then reads one sequential stream per task
// instead of 16 interleaved row streams (which peak at ~2/3 of a sequential read's bandwidth here), and
// prefill skips its per-call repack.
void pack_bf16_panels_in_place(uint16_t* w, int64_t rows, int64_t n);

// Output rows [r0, r1) of W·x from activations already rounded.
void bf16_matmul_rows(const TensorView& W, int64_t r0, int64_t r1, const Bf16Acts& a, float* y, int64_t ldy);
// Same, rounding x itself (for matmul_rows callers, which parallelise themselves).
void bf16_matmul_rows(const TensorView& W, int64_t r0, int64_t r1, const float* x, int64_t ldx, int64_t T,
                      float* y, int64_t ldy);
// matmul() for a bf16_route weight: round x once, then the rows in parallel.
void bf16_matmul(const TensorView& W, const float* x, int64_t ldx, int64_t T, float* y, int64_t ldy,
                 ThreadPool& pool);

// The rounded activations of a matmul_many batch, one per job on the route (null for the others).
class Bf16Batch {
  public:
    Bf16Batch(std::span<const MatmulJob> jobs, ThreadPool& pool);
    const Bf16Acts* acts(size_t job) const { return has_[job] ? &acts_[job] : nullptr; }

  private:
    std::vector<Bf16Acts>& acts_;
    std::vector<char>& has_;
};

}  // namespace hy::kernels
