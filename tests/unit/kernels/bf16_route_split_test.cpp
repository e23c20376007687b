// On the bf16 route (one row per lane: bf16_dot_avx512.cpp) a product's rows have the same bits whatever the
// split of its rows into calls: model/attention.cpp moves q, k and v from three matmul calls into one
// matmul_many region on that promise (and keeps three calls for the other routes).
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "kernel_test_util.h"
#include "kernels/bf16_matmul.h"
#include "kernels/matmul.h"

namespace hy {
namespace {

TEST(Bf16RouteSplit, MatmulManyRowsMatchMatmulBitForBit) {
    const test::Weights q = test::make_weights(DType::BF16, 200, 1024, 1),
                        k = test::make_weights(DType::BF16, 72, 1024, 2),
                        v = test::make_weights(DType::BF16, 72, 1024, 3);
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
