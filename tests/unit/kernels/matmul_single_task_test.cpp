// matmul_single_task (kernels/matmul.h): a product it accepts has the same bits from matmul and from
// matmul_many whatever else shares the region (model/moe.cpp moves the router between them on that
// promise), and products split into several tasks are refused.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "core/dtype.h"
#include "kernel_test_util.h"
#include "kernels/matmul.h"

namespace hy {
namespace {

struct Matrix {
    std::vector<uint8_t> bytes;
    TensorView view;
};

Matrix make_matrix(DType dt, int64_t rows, int64_t cols, uint32_t seed) {
    Matrix m;
    const std::vector<float> f = test::random_floats(rows * cols, seed);
    m.bytes.resize(static_cast<size_t>(rows * cols) * (dt == DType::F32 ? 4 : 2));
    for (int64_t i = 0; i < rows * cols; ++i) {
        if (dt == DType::F32) {
            std::memcpy(m.bytes.data() + 4 * i, &f[static_cast<size_t>(i)], 4);
        } else {
            const uint16_t h = f32_to_bf16(f[static_cast<size_t>(i)]);
            std::memcpy(m.bytes.data() + 2 * i, &h, 2);
        }
    }
    m.view.dtype = dt;
    m.view.shape = {rows, cols};
    m.view.data = m.bytes.data();
    m.view.nbytes = m.bytes.size();
    return m;
}

TEST(MatmulSingleTask, DecodeRouterIsOneTaskAndKeepsItsBits) {
    // The bench model's router: 64 x 1024 F32. One token: one task; three: a 21-row grain, 4 tasks.
    const Matrix router = make_matrix(DType::F32, 64, 1024, 1);
    EXPECT_TRUE(kernels::matmul_single_task(router.view, 1));
    EXPECT_FALSE(kernels::matmul_single_task(router.view, 3));
    EXPECT_FALSE(kernels::matmul_single_task(make_matrix(DType::F32, 4096, 1024, 2).view, 1));

    // With a wide BF16 product (many tasks) in the same region, the router's rows come out exactly
    // as from matmul, on every thread count.
    const Matrix wide = make_matrix(DType::BF16, 768, 1024, 3);
    for (int threads : {1, 2, 3}) {
        ThreadPool pool(threads);
        const std::vector<float> x = test::random_floats(1024, 4);
        std::vector<float> alone(64), together(64), wide_out(768);
        kernels::matmul(router.view, x.data(), 1024, 1, alone.data(), 64, pool);
        const kernels::MatmulJob jobs[2] = {{&router.view, x.data(), 1024, 1, together.data(), 64},
                                            {&wide.view, x.data(), 1024, 1, wide_out.data(), 768}};
        kernels::matmul_many(jobs, pool);
        EXPECT_EQ(0, std::memcmp(alone.data(), together.data(), alone.size() * sizeof(float)))
            << threads << " threads";
    }
}

}  // namespace
}  // namespace hy
