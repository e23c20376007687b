#include "kernels/matmul.h"

#include <algorithm>
#include <vector>

#include "core/error.h"
#include "kernels/bf16_matmul.h"
#include "kernels/isa.h"
#include "kernels/q8_matmul.h"
#include "kernels/quant_rows.h"

namespace hy::kernels {

namespace {
// Rows converted to fp32 at once: 16 rows of a 4096-wide matrix (256 KiB) stay in L2 while every
// token of the call is multiplied with them.
constexpr int64_t kRowBlock = 16;
// Up to this many tokens the GEMV (one pass over the weights per token, from cache after the first)
// beats converting rows to fp32 first.
constexpr int64_t kGemvMaxTokens = 4;

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
    if (q8_route(W)) {  // Q8_0 x int8-quantised activations (q8_dot.h)
        q8_matmul_rows(W, r0, r1, x, ldx, T, y, ldy);
        return;
    }
    if (bf16_route(W)) {  // BF16 x bf16-rounded activations, every T (bf16_matmul.h)
        bf16_matmul_rows(W, r0, r1, x, ldx, T, y, ldy);
        return;
    }
    // Rows rewritten as panels (model/bf16_panels.h) are the route's alone: it was on when they were
    // packed, and only a test's override could turn it off since.
    HY_ASSERT(!W.bf16_panels);
    if (W.panels) {  // F32 in 16-row panels (f32_panels.h); callers split rows at panel boundaries
        HY_ASSERT(r0 % 16 == 0 && (r1 % 16 == 0 || r1 == W.rows()));
        const float* first = W.panels + r0 * n;
        // Whole panels up to the region's end (the matrix's own are whole panels, so never fewer rows).
        const int64_t readable = W.panels_end ? (W.panels_end - first) / n / 16 * 16 : W.rows() - r0;
        k.gemm_f32_panels(first, n, r1 - r0, readable, x, ldx, T, y + r0, ldy);
        return;
    }
    if (W.dtype == DType::F32) {
        const float* w = reinterpret_cast<const float*>(W.data);
        k.gemm_f32(w + r0 * n, n, r1 - r0, x, ldx, T, n, y + r0, ldy);
        return;
    }
    if (T <= kGemvMaxTokens && (W.dtype == DType::BF16 || W.dtype == DType::F16 || W.dtype == DType::Q8_0)) {
        // Decode: weights converted in registers, never written out; a few tokens take turns on each
        // block of rows while it is in L1/L2. One token takes all its rows in one call (one stream
        // the GEMV prefetches ahead in).
        const int64_t block = T == 1 ? r1 - r0 : kRowBlock;
        for (int64_t rb = r0; rb < r1; rb += block) {
            const int64_t re = std::min(r1, rb + block);
            for (int64_t t = 0; t < T; ++t) {
                const float* xt = x + t * ldx;
                float* yt = y + t * ldy + rb;
                if (W.dtype == DType::Q8_0)
                    k.gemv_q8_0(W.row(rb), static_cast<int64_t>(W.row_bytes()), re - rb, xt, n, yt);
                else
                    (W.dtype == DType::BF16 ? k.gemv_bf16 : k.gemv_f16)(
                        reinterpret_cast<const uint16_t*>(W.row(rb)), n, re - rb, xt, n, yt);
            }
        }
        return;
    }
    float* buf = row_scratch(kRowBlock * n);
    for (int64_t rb = r0; rb < r1; rb += kRowBlock) {
        const int64_t re = std::min(r1, rb + kRowBlock);
        for (int64_t r = rb; r < re; ++r) convert_row(W.dtype, W.row(r), buf + (r - rb) * n, n, W.scale);
        k.gemm_f32(buf, n, re - rb, x, ldx, T, n, y + rb, ldy);
    }
}

namespace {
// Rows per task: enough that a task's work dwarfs the dispatch cost (~64 K multiply-adds).
int64_t row_grain(const TensorView& W, int64_t T) {
    const int64_t g = std::max<int64_t>(kRowBlock, 65536 / std::max<int64_t>(1, W.cols() * T));
    // F32 panels: pairs of 16-row panels (the AVX-512 tile is two panels wide, f32_panels_impl.h);
    // BF16: whole 16-row panels (bf16_dot_avx512.cpp)
    if (W.panels) return (g + 31) / 32 * 32;
    return bf16_route(W) ? (g + 15) / 16 * 16 : g;
}
}  // namespace

bool rows_split_invariant(const TensorView& W) {
    return W.panels != nullptr || bf16_route(W);
}

void matmul_many(std::span<const MatmulJob> jobs, ThreadPool& pool) {
    // Tasks are row ranges of the jobs in order; a task index maps back to its job by a linear scan
    // (a handful of jobs), so nothing is allocated.
    int64_t tasks = 0;
    for (const MatmulJob& j : jobs) {
        HY_ASSERT(j.W->shape.size() == 2 && dtype_row_ok(j.W->dtype, static_cast<uint64_t>(j.W->cols())));
        const int64_t g = row_grain(*j.W, j.T);
        tasks += (j.W->rows() + g - 1) / g;
    }
    const Q8Batch q8(jobs, pool);      // the Q8_0 jobs' activations, quantised once
    const Bf16Batch bf16(jobs, pool);  // the BF16 jobs' activations, rounded once
    // The tasks of a taken range that belong to one job are consecutive rows: one call covers them
    // (one stream for the decode GEMV to prefetch along).
    pool.parallel_for(tasks, 1, [&](int64_t b, int64_t e, int) {
        int64_t first = 0;
        for (const MatmulJob& j : jobs) {
            const int64_t g = row_grain(*j.W, j.T), rows = j.W->rows(), n = (rows + g - 1) / g;
            const int64_t lo = std::max(b, first), hi = std::min(e, first + n);
            if (lo < hi) {
                const int64_t r0 = (lo - first) * g, r1 = std::min(rows, (hi - first) * g);
                if (const Q8Acts* a = q8.acts(static_cast<size_t>(&j - jobs.data())))
                    q8_matmul_rows(*j.W, r0, r1, *a, j.y, j.ldy);
                else if (const Bf16Acts* b16 = bf16.acts(static_cast<size_t>(&j - jobs.data())))
                    bf16_matmul_rows(*j.W, r0, r1, *b16, j.y, j.ldy);
                else
                    matmul_rows(*j.W, r0, r1, j.x, j.ldx, j.T, j.y, j.ldy);
            }
            first += n;
            if (first >= e) break;
        }
    });
}

void matmul(const TensorView& W, const float* x, int64_t ldx, int64_t T, float* y, int64_t ldy,
            ThreadPool& pool) {
    HY_ASSERT(W.shape.size() == 2 && dtype_row_ok(W.dtype, static_cast<uint64_t>(W.cols())));
    if (q8_route(W)) return q8_matmul(W, x, ldx, T, y, ldy, pool);
    if (bf16_route(W)) return bf16_matmul(W, x, ldx, T, y, ldy, pool);
    const int64_t rows = W.rows();
    const int64_t grain = row_grain(W, T);
    if (W.panels) {  // tasks of whole panels: the pool's chunks are any length
        pool.parallel_for((rows + grain - 1) / grain, 1, [&](int64_t b, int64_t e, int) {
            matmul_rows(W, b * grain, std::min(rows, e * grain), x, ldx, T, y, ldy);
        });
        return;
    }
    pool.parallel_for(rows, grain,
                      [&](int64_t b, int64_t e, int) { matmul_rows(W, b, e, x, ldx, T, y, ldy); });
}

}  // namespace hy::kernels
