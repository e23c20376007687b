// matmul per weight dtype and ISA against a naive double-precision product of the same weights
// decoded by model/dequant.h (an independent decoder written from the ggml layouts).
#include "kernels/matmul.h"
#include "kernels/q8_dot.h"

#include <gtest/gtest.h>

#include <random>

#include "kernel_test_util.h"
#include "kernels/bf16_matmul.h"
#include "model/dequant.h"

namespace hy {
namespace {

using test::make_weights;
using test::Weights;

void check(DType dt, int64_t rows, int64_t cols, int64_t T, ThreadPool& pool) {
    const Weights w = make_weights(dt, rows, cols, static_cast<uint32_t>(rows * 131 + cols + T));
    const std::vector<float> wf = tensor_to_f32(w.view);
    const std::vector<float> x = test::random_floats(T * (cols + 3), 99);
    std::vector<double> ref(static_cast<size_t>(T * rows)), mag(ref.size());
    for (int64_t t = 0; t < T; ++t)
        for (int64_t r = 0; r < rows; ++r) {
            double s = 0, m = 0;
            for (int64_t i = 0; i < cols; ++i) {
                const double p = static_cast<double>(wf[r * cols + i]) * x[t * (cols + 3) + i];
                s += p;
                m += std::fabs(p);
            }
            ref[t * rows + r] = s;
            mag[t * rows + r] = m;
        }
    for (kernels::Isa isa : test::supported_isas()) {
        test::IsaScope scope(isa);
        std::vector<float> y(static_cast<size_t>(T * (rows + 2)), -7.0f);
        // Q8_0 and BF16 here are the exact paths (fp32 activations, HYSERVE_Q8_ACTIVATIONS=f32,
        // HYSERVE_BF16_ACTIVATIONS=f32); the default quantised/rounded-activation routes have their
        // own tests (q8_dot_test.cpp, bf16_dot_test.cpp).
        kernels::set_q8_activations_override(false);
        kernels::set_bf16_activations_override(false);
        kernels::matmul(w.view, x.data(), cols + 3, T, y.data(), rows + 2, pool);
        kernels::clear_q8_activations_override();
        kernels::clear_bf16_activations_override();
        for (int64_t t = 0; t < T; ++t) {
            for (int64_t r = 0; r < rows; ++r) {
                const double tol = 1e-6 * mag[t * rows + r] + 1e-7;
                ASSERT_NEAR(y[t * (rows + 2) + r], ref[t * rows + r], tol)
                    << dtype_name(dt) << " " << kernels::isa_name(isa) << " rows=" << rows << " cols=" << cols
                    << " T=" << T << " at t=" << t << " r=" << r;
            }
            EXPECT_EQ(y[t * (rows + 2) + rows], -7.0f) << "wrote past the row";
        }
    }
}

TEST(Matmul, ScalarDtypesEdgeSizes) {
    ThreadPool pool(2);
    for (DType dt : {DType::F32, DType::BF16, DType::F16, DType::F8_E4M3})
        for (int64_t rows : {1, 3, 17, 37})
            for (int64_t cols : {1, 7, 16, 33, 100})
                for (int64_t T : {1, 2, 5}) check(dt, rows, cols, T, pool);
}

TEST(Matmul, BlockDtypes) {
    ThreadPool pool(2);
    for (DType dt : {DType::Q8_0, DType::Q4_0})
        for (int64_t rows : {1, 5, 19})
            for (int64_t cols : {32, 96})
                for (int64_t T : {1, 3}) check(dt, rows, cols, T, pool);
    for (DType dt : {DType::Q4_K, DType::Q6_K})
        for (int64_t rows : {1, 6})
            for (int64_t cols : {256, 512})
                for (int64_t T : {1, 4}) check(dt, rows, cols, T, pool);
}

TEST(Matmul, SingleThreadEqualsPool) {
    ThreadPool one(1), two(2);
    const Weights w = make_weights(DType::BF16, 70, 48, 3);
    const std::vector<float> x = test::random_floats(3 * 48, 5);
    std::vector<float> a(3 * 70), b(3 * 70);
    kernels::matmul(w.view, x.data(), 48, 3, a.data(), 70, one);
    kernels::matmul(w.view, x.data(), 48, 3, b.data(), 70, two);
    EXPECT_EQ(a, b);
}

// matmul_many (issue 10: all of a layer's experts in one parallel region) gives exactly what one
// matmul per job gives, for decode-sized (GEMV) and prefill-sized (converted GEMM) token counts.
TEST(Matmul, ManyEqualsOneByOne) {
    ThreadPool pool(2);
    for (DType dt : {DType::BF16, DType::Q8_0, DType::F32}) {
        const Weights a = make_weights(dt, 96, 64, 11), b = make_weights(dt, 40, 64, 12),
                      c = make_weights(dt, 7, 96, 13);
        const std::vector<float> x = test::random_floats(9 * 96, 21);
        for (int64_t T : {1, 3, 9}) {
            std::vector<float> y1(static_cast<size_t>(3 * T * 96), 0.0f), y2 = y1;
            const kernels::MatmulJob jobs[] = {{&a.view, x.data(), 64, T, y1.data(), 96},
                                               {&b.view, x.data() + 1, 96, T, y1.data() + T * 96, 40},
                                               {&c.view, x.data(), 96, T, y1.data() + 2 * T * 96, 7}};
            kernels::matmul_many(jobs, pool);
            kernels::matmul(a.view, x.data(), 64, T, y2.data(), 96, pool);
            kernels::matmul(b.view, x.data() + 1, 96, T, y2.data() + T * 96, 40, pool);
            kernels::matmul(c.view, x.data(), 96, T, y2.data() + 2 * T * 96, 7, pool);
            EXPECT_EQ(y1, y2) << dtype_name(dt) << " T=" << T;
        }
    }
}

// An fp32 token's outputs do not depend on the tokens it is multiplied with: the 4-token tiles (and
// their vectorised reduction) give exactly the one-token GEMV's bits. The engine's batch-invariance
// guarantee (16 concurrent requests = each alone) rests on this.
TEST(Matmul, F32TokenIndependentOfBatch) {
    ThreadPool pool(2);
    for (int64_t rows : {8, 13})
        for (int64_t cols : {16, 40, 256})
            for (int64_t T : {2, 3, 4, 6, 7, 16}) {
                const Weights w =
                    make_weights(DType::F32, rows, cols, static_cast<uint32_t>(rows + cols + T));
                const std::vector<float> x = test::random_floats(T * cols, 31);
                for (kernels::Isa isa : test::supported_isas()) {
                    test::IsaScope scope(isa);
                    std::vector<float> all(static_cast<size_t>(T * rows)), one(all.size());
                    kernels::matmul(w.view, x.data(), cols, T, all.data(), rows, pool);
                    for (int64_t t = 0; t < T; ++t)
                        kernels::matmul(w.view, x.data() + t * cols, cols, 1, one.data() + t * rows, rows,
                                        pool);
                    EXPECT_EQ(all, one)
                        << kernels::isa_name(isa) << " rows=" << rows << " cols=" << cols << " T=" << T;
                }
            }
}

}  // namespace
}  // namespace hy
