#include "kernels/bf16_matmul.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>

#include "core/error.h"
#include "kernels/act_batch.h"
#include "kernels/isa.h"

namespace hy::kernels {

namespace {

std::atomic<int> g_override{-1};

// Rounded activations of one product; reused across calls (per calling thread and slot).
struct ActStore {
    std::vector<uint32_t> x;

    Bf16Acts reserve(int64_t n, int64_t T) {
        const int64_t pairs = (n + 1) / 2;
        if (static_cast<int64_t>(x.size()) < pairs * T) x.resize(static_cast<size_t>(pairs * T));
        return Bf16Acts{n, pairs, T, x.data()};
    }
    void prepare(const Bf16Acts& a, const float* src, int64_t ldx, int64_t t) {
        bf16_round_pairs(src + t * ldx, a.n, x.data() + t * a.pairs);
    }
};

constexpr int64_t kPanelRows = 16;  // the kernel's row group (bf16_dot_avx512.cpp)

// Rows per task: whole 16-row panels (a split panel would be packed twice), two of them when the
// kernel tiles 2 panels x several tokens, enough that a task's work dwarfs the dispatch cost.
int64_t bf16_grain(int64_t n, int64_t T) {
    const int64_t g =
        std::max<int64_t>(T > 4 ? 2 * kPanelRows : kPanelRows, 65536 / std::max<int64_t>(1, n * T));
    return (g + kPanelRows - 1) / kPanelRows * kPanelRows;
}

}  // namespace

bool bf16_dot_supported() {
    static const bool cpu = isa_supported(Isa::AVX512) && __builtin_cpu_supports("avx512bf16");
    return cpu && best_isa() == Isa::AVX512;
}

bool bf16_activations_rounded() {
    const int o = g_override.load(std::memory_order_relaxed);
    if (o >= 0) return o != 0;
    static const bool env = [] {
        const char* e = std::getenv("HYSERVE_BF16_ACTIVATIONS");
        return e == nullptr || std::strcmp(e, "f32") != 0;
    }();
    return env;
}
void set_bf16_activations_override(bool rounded) {
    g_override.store(rounded ? 1 : 0);
}
void clear_bf16_activations_override() {
    g_override.store(-1);
}

bool bf16_route(const TensorView& W) {
    return W.dtype == DType::BF16 && bf16_activations_rounded() && bf16_dot_supported();
}

void bf16_matmul_rows(const TensorView& W, int64_t r0, int64_t r1, const Bf16Acts& a, float* y, int64_t ldy) {
    if (r1 <= r0) return;
    if (W.bf16_panels) {  // callers split rows at panel boundaries (bf16_grain, matmul.cpp's row_grain)
        const int64_t packed = W.rows() / kPanelRows * kPanelRows, n = W.cols();
        HY_ASSERT(r0 % kPanelRows == 0);
        const int64_t e = std::min(r1, packed);
        if (r0 < e)
            bf16_dot_matmul_panels(reinterpret_cast<const uint32_t*>(W.data) + r0 * n / 2, e - r0, a, y + r0,
                                   ldy);
        r0 = std::max(r0, packed);
        if (r1 <= r0) return;
    }
    bf16_dot_matmul(reinterpret_cast<const uint16_t*>(W.row(r0)), W.cols(), r1 - r0, a, y + r0, ldy);
}

void bf16_matmul_rows(const TensorView& W, int64_t r0, int64_t r1, const float* x, int64_t ldx, int64_t T,
                      float* y, int64_t ldy) {
    thread_local ActStore store;
    const Bf16Acts a = store.reserve(W.cols(), T);
    for (int64_t t = 0; t < T; ++t) store.prepare(a, x, ldx, t);
    bf16_matmul_rows(W, r0, r1, a, y, ldy);
}

void bf16_matmul(const TensorView& W, const float* x, int64_t ldx, int64_t T, float* y, int64_t ldy,
                 ThreadPool& pool) {
    // A thread_local named inside the lambda would be the worker's own: take the caller's by reference.
    thread_local ActStore caller_store;
    ActStore& store = caller_store;
    const Bf16Acts a = store.reserve(W.cols(), T);
    prepare_tokens(store, a, x, ldx, T, pool);
    // Tasks are whole grains of rows, so chunk ends stay on panel boundaries.
    const int64_t g = bf16_grain(W.cols(), T), rows = W.rows();
    pool.parallel_for((rows + g - 1) / g, 1, [&](int64_t b, int64_t e, int) {
        bf16_matmul_rows(W, b * g, std::min(rows, e * g), a, y, ldy);
    });
}

namespace {
thread_local std::vector<ActStore> t_stores;
thread_local std::vector<Bf16Acts> t_acts;
thread_local std::vector<char> t_has;
}  // namespace

Bf16Batch::Bf16Batch(std::span<const MatmulJob> jobs, ThreadPool& pool) : acts_(t_acts), has_(t_has) {
    prepare_batch(jobs, pool, bf16_route, t_stores, acts_, has_);
}

}  // namespace hy::kernels
