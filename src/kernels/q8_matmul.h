// The Q8_0 x Q8 route of kernels::matmul / matmul_many (issue 10): a call's activations are
// quantised once (q8_dot.h) and every row range of the weights is multiplied with them.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/matmul.h"
#include "kernels/q8_dot.h"
#include "model/tensor.h"

namespace hy::kernels {

// True when W is Q8_0 and the quantised-activation path is on (the default).
bool q8_route(const TensorView& W);

// Output rows [r0, r1) of W·x from activations already quantised.
void q8_matmul_rows(const TensorView& W, int64_t r0, int64_t r1, const Q8Acts& a, float* y, int64_t ldy);

// Same, quantising x itself (for matmul_rows callers, which parallelise themselves).
void q8_matmul_rows(const TensorView& W, int64_t r0, int64_t r1, const float* x, int64_t ldx, int64_t T,
                    float* y, int64_t ldy);

// matmul() for a q8_route weight: quantise x once, then the rows in parallel.
void q8_matmul(const TensorView& W, const float* x, int64_t ldx, int64_t T, float* y, int64_t ldy,
               ThreadPool& pool);

// The quantised activations of a matmul_many batch, one per job on the q8 route (null for the others),
// all quantised in one parallel region before the products.
class Q8Batch {
  public:
    Q8Batch(std::span<const MatmulJob> jobs, ThreadPool& pool);
    const Q8Acts* acts(size_t job) const { return has_[job] ? &acts_[job] : nullptr; }

  private:
    std::vector<Q8Acts>& acts_;
    std::vector<char>& has_;
};

}  // namespace hy::kernels
