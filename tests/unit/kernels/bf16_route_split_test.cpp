// On the bf16 route (one row per lane: bf16_dot_avx512.cpp) a product's rows have the same bits whatever the
// split of its rows into calls: model/attention.cpp moves q, k and v from three matmul calls into one
// matmul_many region on that promise (and keeps three calls for the other routes).
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "core/dtype.h"
#include "kernel_test_util.h"
#include "kernels/bf16_matmul.h"
#include "kernels/matmul.h"

namespace hy {
namespace {

struct Bf16Matrix {
    std::vector<uint16_t> bits;
    TensorView view;
};

Bf16Matrix make_bf16(int64_t rows, int64_t cols, uint32_t seed) {
    Bf16Matrix m;
    const std::vector<float> f = test::random_floats(rows * cols, seed);
    for (float v : f) m.bits.push_back(f32_to_bf16(v));
    m.view.dtype = DType::BF16;
    m.view.shape = {rows, cols};
    m.view.data = reinterpret_cast<const uint8_t*>(m.bits.data());
    m.view.nbytes = m.bits.size() * 2;
    return m;
}

TEST(Bf16RouteSplit, MatmulManyRowsMatchMatmulBitForBit) {
    const Bf16Matrix q = make_bf16(200, 1024, 1), k = make_bf16(72, 1024, 2), v = make_bf16(72, 1024, 3);
    if (!kernels::bf16_route(q.view)) GTEST_SKIP() << "no AVX-512 BF16 here: the bf16 route is off";
    for (int threads : {1, 2, 3})
        for (int64_t T : {1, 3, 5, 17}) {
            ThreadPool pool(threads);
            const std::vector<float> x = test::random_floats(1024 * T, 4);
            std::vector<float> alone(200 * T), yk(72 * T), yv(72 * T), together(200 * T), tk(72 * T),
                tv(72 * T);
            kernels::matmul(q.view, x.data(), 1024, T, alone.data(), 200, pool);
            kernels::matmul(k.view, x.data(), 1024, T, yk.data(), 72, pool);
            kernels::matmul(v.view, x.data(), 1024, T, yv.data(), 72, pool);
            const kernels::MatmulJob jobs[3] = {{&q.view, x.data(), 1024, T, together.data(), 200},
                                                {&k.view, x.data(), 1024, T, tk.data(), 72},
                                                {&v.view, x.data(), 1024, T, tv.data(), 72}};
            kernels::matmul_many(jobs, pool);
            const std::string at = std::to_string(threads) + " threads, T = " + std::to_string(T);
            EXPECT_EQ(0, std::memcmp(alone.data(), together.data(), alone.size() * 4)) << at;
            EXPECT_EQ(0, std::memcmp(yk.data(), tk.data(), yk.size() * 4)) << at;
            EXPECT_EQ(0, std::memcmp(yv.data(), tv.data(), yv.size() * 4)) << at;
        }
}

}  // namespace
}  // namespace hy
