#include "kernels/matmul.h"

#include <algorithm>
#include <vector>

#include "core/error.h"
#include "kernels/isa.h"
#include "kernels/quant_rows.h"

namespace hy::kernels {

namespace {
// Rows converted to fp32 at once: 16 rows of a 4096-wide matrix (256 KiB) stay in L2 while every
// token of the call is multiplied with them.
constexpr int64_t kRowBlock = 16;

// Per-thread conversion buffer; threads are persistent (core/thread_pool.h), so it grows only
// the first time a wider matrix is seen.
float* row_scratch(int64_t floats) {
    thread_local std::vector<float> buf;
    if (static_cast<int64_t>(buf.size()) < floats) buf.resize(static_cast<size_t>(floats));
    return buf.data();
}
}  // namespace

void matmul_rows(const TensorView& W, int64_t r0, int64_t r1, const float* x, int64_t ldx, int64_t T,
                 float* y, int64_t ldy) {
    const KernelTable& k = kernels();
    const int64_t n = W.cols();
    if (W.dtype == DType::F32) {
        const float* w = reinterpret_cast<const float*>(W.data);
        k.gemm_f32(w + r0 * n, n, r1 - r0, x, ldx, T, n, y + r0, ldy);
        return;
    }
    if (T == 1 && (W.dtype == DType::BF16 || W.dtype == DType::F16)) {
        const auto dot = W.dtype == DType::BF16 ? k.dot_bf16 : k.dot_f16;
        for (int64_t r = r0; r < r1; ++r) y[r] = dot(reinterpret_cast<const uint16_t*>(W.row(r)), x, n);
        return;
    }
    float* buf = row_scratch(kRowBlock * n);
    for (int64_t rb = r0; rb < r1; rb += kRowBlock) {
        const int64_t re = std::min(r1, rb + kRowBlock);
        for (int64_t r = rb; r < re; ++r) convert_row(W.dtype, W.row(r), buf + (r - rb) * n, n, W.scale);
        k.gemm_f32(buf, n, re - rb, x, ldx, T, n, y + rb, ldy);
    }
}

void matmul(const TensorView& W, const float* x, int64_t ldx, int64_t T, float* y, int64_t ldy,
            ThreadPool& pool) {
    HY_ASSERT(W.shape.size() == 2 && dtype_row_ok(W.dtype, static_cast<uint64_t>(W.cols())));
    const int64_t rows = W.rows();
    // Enough rows per task that a task's work dwarfs the dispatch cost (~64 K multiply-adds).
    const int64_t grain = std::max<int64_t>(kRowBlock, 65536 / std::max<int64_t>(1, W.cols() * T));
    pool.parallel_for(rows, grain,
                      [&](int64_t b, int64_t e, int) { matmul_rows(W, b, e, x, ldx, T, y, ldy); });
}

}  // namespace hy::kernels
