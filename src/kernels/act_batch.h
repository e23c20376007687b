// Activations prepared once per matmul call for the routes that change their format (issue 10):
// int8 blocks for Q8_0 weights (q8_matmul.cpp), bf16 pairs for BF16 weights (bf16_matmul.cpp).
// A Store holds one product's prepared activations, reused across calls:
//     Acts reserve(int64_t n, int64_t T);                                  // grows the storage
//     void prepare(const Acts& a, const float* x, int64_t ldx, int64_t t); // token t of x
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/matmul.h"

namespace hy::kernels {

// Below this many tokens in all, preparing on the calling thread beats waking the pool.
constexpr int64_t kParallelPrepTokens = 16;

// Tokens [0, T) of x into a (reserved from store).
template <class Store, class Acts>
void prepare_tokens(Store& store, const Acts& a, const float* x, int64_t ldx, int64_t T, ThreadPool& pool) {
    if (T < kParallelPrepTokens) {
        for (int64_t t = 0; t < T; ++t) store.prepare(a, x, ldx, t);
        return;
    }
    pool.parallel_for(T, 4, [&](int64_t b, int64_t e, int) {
        for (int64_t t = b; t < e; ++t) store.prepare(a, x, ldx, t);
    });
}

// A matmul_many batch: for every job whose weight on_route(W) accepts, has[j] = 1 and acts[j] holds
// its prepared tokens; all jobs' tokens are prepared in one parallel region. stores/acts/has are the
// calling thread's (a thread_local named inside the pool's lambda would be each worker's own).
template <class Store, class Acts, class OnRoute>
void prepare_batch(std::span<const MatmulJob> jobs, ThreadPool& pool, OnRoute on_route,
                   std::vector<Store>& stores, std::vector<Acts>& acts, std::vector<char>& has) {
    const size_t J = jobs.size();
    if (stores.size() < J) stores.resize(J);
    acts.assign(J, Acts{});
    has.assign(J, 0);
    int64_t tokens = 0;
    for (size_t j = 0; j < J; ++j)
        if (on_route(*jobs[j].W)) {
            has[j] = 1;
            acts[j] = stores[j].reserve(jobs[j].W->cols(), jobs[j].T);
            tokens += jobs[j].T;
        }
    if (tokens == 0) return;
    // Token i of the batch: job j's token i - (tokens of the jobs before j).
    const auto run = [&](int64_t b, int64_t e) {
        int64_t first = 0;
        for (size_t j = 0; j < J && b < e; ++j) {
            if (!has[j]) continue;
            const int64_t T = jobs[j].T;
            for (; b < e && b < first + T; ++b) stores[j].prepare(acts[j], jobs[j].x, jobs[j].ldx, b - first);
            first += T;
        }
    };
    if (tokens < kParallelPrepTokens)
        run(0, tokens);
    else
        pool.parallel_for(tokens, 4, [&](int64_t b, int64_t e, int) { run(b, e); });
}

}  // namespace hy::kernels
