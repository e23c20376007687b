// y = W · x for a weight matrix in its stored dtype (spec/model.md §0: W[out, in]), fp32
// activations and accumulation. Row-parallel over the pool; T tokens share each converted weight
// row, so prefill reads every weight once per call while decode (T = 1) dots straight off the
// stored bytes for F32/BF16/F16.
#pragma once

#include <cstdint>
#include <span>

#include "core/thread_pool.h"
#include "model/tensor.h"

namespace hy::kernels {

// y[t*ldy + o] = Σ_i W[o, i] · x[t*ldx + i] for o < W.rows(), t < T. x and y must not overlap.
void matmul(const TensorView& W, const float* x, int64_t ldx, int64_t T, float* y, int64_t ldy,
            ThreadPool& pool);

// One product of a matmul_many batch: y = W · x as in matmul.
struct MatmulJob {
    const TensorView* W;
    const float* x;
    int64_t ldx;
    int64_t T;
    float* y;
    int64_t ldy;
};

// Several independent products in one parallel region (one barrier instead of one per product):
// a decode step's routed experts and shared expert (issue 10, MoE grouped by expert).
void matmul_many(std::span<const MatmulJob> jobs, ThreadPool& pool);

// Whether each output row's bits are independent of how the rows are split into calls and tasks
// (F32 panels, the BF16 route): such products may share one matmul_many region.
bool rows_split_invariant(const TensorView& W);

// Same for output rows [r0, r1) only, single-threaded (callers that parallelise themselves).
void matmul_rows(const TensorView& W, int64_t r0, int64_t r1, const float* x, int64_t ldx, int64_t T,
                 float* y, int64_t ldy);

}  // namespace hy::kernels
