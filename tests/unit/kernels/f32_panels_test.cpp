// The F32 panel GEMM (kernels/f32_panels.h): the packed layout, accuracy against a double-precision
// product, and the bit-identities the engine's batch invariance rests on.
#include "kernels/f32_panels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kernel_test_util.h"
#include "kernels/matmul.h"

namespace hy {
namespace {

// A row-major F32 matrix with its panel copy attached, as the loader makes it (model/f32_panels.h).
struct PanelWeights {
    test::Weights rows;
    std::vector<float> packed;
    TensorView view;
};

PanelWeights make_panel_weights(int64_t rows, int64_t cols, uint32_t seed) {
    PanelWeights w{test::make_weights(DType::F32, rows, cols, seed), {}, {}};
    w.packed.resize(static_cast<size_t>(kernels::f32_panel_floats(rows, cols)));
    kernels::pack_f32_panels(reinterpret_cast<const float*>(w.rows.bytes.data()), rows, cols,
                             w.packed.data());
    w.view = w.rows.view;
    w.view.panels = w.packed.data();
    return w;
}

TEST(F32Panels, LayoutIsInputMajorWithinPanelsAndZeroPadded) {
    // 17 x 3: panel 0 holds rows 0-15, panel 1 row 16 and 15 zero rows.
    std::vector<float> w(17 * 3);
    for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(i + 1);
    std::vector<float> p(static_cast<size_t>(kernels::f32_panel_floats(17, 3)), -1.0f);
    ASSERT_EQ(p.size(), 2u * 16 * 3);
    kernels::pack_f32_panels(w.data(), 17, 3, p.data());
    EXPECT_EQ(p[0], w[0]);                     // row 0, k 0
    EXPECT_EQ(p[1], w[3]);                     // row 1, k 0
    EXPECT_EQ(p[16 + 5], w[5 * 3 + 1]);        // row 5, k 1
    EXPECT_EQ(p[48 + 2 * 16], w[16 * 3 + 2]);  // row 16, k 2
    EXPECT_EQ(p[48 + 2 * 16 + 1], 0.0f);       // padding row 17
}

TEST(F32Panels, MatchesDoubleProductOnEveryIsa) {
    ThreadPool pool(2);
    for (int64_t rows : {1, 15, 16, 17, 40, 100})
        for (int64_t cols : {1, 7, 64, 256})
            for (int64_t T : {1, 3, 8, 11, 17}) {
                const PanelWeights w =
                    make_panel_weights(rows, cols, static_cast<uint32_t>(rows * 7 + cols + T));
                const float* wf = reinterpret_cast<const float*>(w.rows.bytes.data());
                const int64_t ldx = cols + 3, ldy = rows + 2;
                const std::vector<float> x = test::random_floats(T * ldx, 5);
                for (kernels::Isa isa : test::supported_isas()) {
                    test::IsaScope scope(isa);
                    std::vector<float> y(static_cast<size_t>(T * ldy), -7.0f);
                    kernels::matmul(w.view, x.data(), ldx, T, y.data(), ldy, pool);
                    for (int64_t t = 0; t < T; ++t) {
                        for (int64_t r = 0; r < rows; ++r) {
                            double s = 0, m = 0;
                            for (int64_t i = 0; i < cols; ++i) {
                                const double p = static_cast<double>(wf[r * cols + i]) * x[t * ldx + i];
                                s += p;
                                m += std::fabs(p);
                            }
                            ASSERT_NEAR(y[t * ldy + r], s, 1e-6 * m + 1e-7)
                                << kernels::isa_name(isa) << " rows=" << rows << " cols=" << cols
                                << " T=" << T;
                        }
                        EXPECT_EQ(y[t * ldy + rows], -7.0f) << "wrote past the rows";
                    }
                }
            }
}

// A token's outputs are the same bits whatever the batch it is in, its position there, and the row
// split (one call, the pool, or panel-sized pieces): prefill = decode and 16 requests = each alone.
TEST(F32Panels, TokenBitsIndependentOfBatchPositionAndSplit) {
    ThreadPool pool(2);
    for (int64_t rows : {16, 45, 130})
        for (int64_t cols : {40, 256}) {
            const int64_t T = 21;  // two full 8-token tiles and a remainder of 5 on AVX-512
            const PanelWeights w = make_panel_weights(rows, cols, static_cast<uint32_t>(rows + cols));
            const std::vector<float> x = test::random_floats(T * cols, 17);
            for (kernels::Isa isa : test::supported_isas()) {
                test::IsaScope scope(isa);
                std::vector<float> all(static_cast<size_t>(T * rows)), one(all.size()), pieces(all.size());
                kernels::matmul(w.view, x.data(), cols, T, all.data(), rows, pool);
                for (int64_t t = 0; t < T; ++t)
                    kernels::matmul(w.view, x.data() + t * cols, cols, 1, one.data() + t * rows, rows, pool);
                for (int64_t r0 = 0; r0 < rows; r0 += 16)
                    kernels::matmul_rows(w.view, r0, std::min(rows, r0 + 16), x.data(), cols, T,
                                         pieces.data(), rows);
                EXPECT_EQ(all, one) << kernels::isa_name(isa) << " rows=" << rows << " cols=" << cols;
                EXPECT_EQ(all, pieces) << kernels::isa_name(isa) << " rows=" << rows << " cols=" << cols;
            }
        }
}

// Every output is one lane's k-ordered chain of fused multiply-adds, so the AVX2 and AVX-512 paths
// agree bit for bit (the row-major dot tiles reduce lanes in ISA-specific orders and do not).
TEST(F32Panels, FmaIsasAgreeBitForBit) {
    if (!kernels::isa_supported(kernels::Isa::AVX2) || !kernels::isa_supported(kernels::Isa::AVX512))
        GTEST_SKIP() << "needs AVX2 and AVX-512";
    ThreadPool pool(1);
    const PanelWeights w = make_panel_weights(70, 96, 3);
    const std::vector<float> x = test::random_floats(13 * 96, 4);
    std::vector<float> y2(13 * 70), y512(13 * 70);
    {
        test::IsaScope scope(kernels::Isa::AVX2);
        kernels::matmul(w.view, x.data(), 96, 13, y2.data(), 70, pool);
    }
    {
        test::IsaScope scope(kernels::Isa::AVX512);
        kernels::matmul(w.view, x.data(), 96, 13, y512.data(), 70, pool);
    }
    EXPECT_EQ(y2, y512);
}

}  // namespace
}  // namespace hy
