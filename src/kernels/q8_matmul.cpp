#include "kernels/q8_matmul.h"

#include <algorithm>

#include "core/error.h"
#include "kernels/act_batch.h"

namespace hy::kernels {

namespace {

// Quantised activations of one product; the storage is reused across calls (per calling thread and
// slot), so a decode step allocates nothing once warm.
struct ActStore {
    std::vector<int8_t> q;
    std::vector<float> d;
    std::vector<int32_t> corr;

    Q8Acts reserve(int64_t n, int64_t T) {
        const auto grow = [](auto& v, int64_t size) {
            if (static_cast<int64_t>(v.size()) < size) v.resize(static_cast<size_t>(size));
        };
        grow(q, n * T);
        grow(d, n / kQ8Block * T);
        grow(corr, n / kQ8Block * T);
        return Q8Acts{n, T, q.data(), d.data(), corr.data()};
    }

    void prepare(const Q8Acts& a, const float* x, int64_t ldx, int64_t t) {
        const int64_t n = a.n, nb = n / kQ8Block;
        q8_kernels().quantize(x + t * ldx, n, q.data() + t * n, d.data() + t * nb, corr.data() + t * nb);
    }
};

// Rows per task: a multiple of the kernels' row groups (4 for the GEMV, 16 for the VNNI panel),
// large enough that a task's work dwarfs the dispatch cost.
int64_t q8_grain(int64_t n, int64_t T) {
    const int64_t g = std::max<int64_t>(16, 65536 / std::max<int64_t>(1, n * T));
    return (g + 15) / 16 * 16;
}

}  // namespace

bool q8_route(const TensorView& W) {
    return W.dtype == DType::Q8_0 && q8_activations_quantised();
}

void q8_matmul_rows(const TensorView& W, int64_t r0, int64_t r1, const Q8Acts& a, float* y, int64_t ldy) {
    if (r1 <= r0) return;
    q8_kernels().matmul(W.row(r0), static_cast<int64_t>(W.row_bytes()), r1 - r0, a, y + r0, ldy);
}

void q8_matmul_rows(const TensorView& W, int64_t r0, int64_t r1, const float* x, int64_t ldx, int64_t T,
                    float* y, int64_t ldy) {
    thread_local ActStore store;
    const Q8Acts a = store.reserve(W.cols(), T);
    for (int64_t t = 0; t < T; ++t) store.prepare(a, x, ldx, t);
    q8_matmul_rows(W, r0, r1, a, y, ldy);
}

void q8_matmul(const TensorView& W, const float* x, int64_t ldx, int64_t T, float* y, int64_t ldy,
               ThreadPool& pool) {
    // A thread_local named inside the lambda would be the worker's own: take the caller's by reference.
    thread_local ActStore caller_store;
    ActStore& store = caller_store;
    const Q8Acts a = store.reserve(W.cols(), T);
    prepare_tokens(store, a, x, ldx, T, pool);
    pool.parallel_for(W.rows(), q8_grain(W.cols(), T),
                      [&](int64_t b, int64_t e, int) { q8_matmul_rows(W, b, e, a, y, ldy); });
}

namespace {
thread_local std::vector<ActStore> t_stores;
thread_local std::vector<Q8Acts> t_acts;
thread_local std::vector<char> t_has;
}  // namespace

Q8Batch::Q8Batch(std::span<const MatmulJob> jobs, ThreadPool& pool) : acts_(t_acts), has_(t_has) {
    prepare_batch(jobs, pool, q8_route, t_stores, acts_, has_);
}

}  // namespace hy::kernels
