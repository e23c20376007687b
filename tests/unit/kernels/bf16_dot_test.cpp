// BF16 weights x bf16-rounded activations (kernels/bf16_matmul.h, issue 10): the vdpbf16ps GEMM
// against a float64 product of the same bf16 inputs (odd sizes: rows not a multiple of 16, n not a
// multiple of 32, odd n, T = 1..40), a row's result independent of T and of its call's other rows (so
// decode and prefill agree bit for bit), the route through matmul / matmul_many, and the
// HYSERVE_BF16_ACTIVATIONS=f32 switch; weights rewritten in place as panels give the same bits.
#include "kernels/bf16_matmul.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/dtype.h"
#include "kernel_test_util.h"
#include "kernels/matmul.h"

namespace hy {
namespace {

using test::Weights;

struct Rounded {
    std::vector<uint32_t> x;
    kernels::Bf16Acts acts;
};

Rounded round_acts(const std::vector<float>& x, int64_t n, int64_t ldx, int64_t T) {
    Rounded r;
    const int64_t pairs = (n + 1) / 2;
    r.x.assign(static_cast<size_t>(pairs * T), 0xDEADBEEFu);
    for (int64_t t = 0; t < T; ++t) kernels::bf16_round_pairs(x.data() + t * ldx, n, r.x.data() + t * pairs);
    r.acts = {n, pairs, T, r.x.data()};
    return r;
}

#define REQUIRE_BF16() \
    if (!kernels::bf16_dot_supported()) GTEST_SKIP() << "no AVX-512 BF16 here"

TEST(Bf16Dot, RoundingIsNearestEvenAndPadsOddN) {
    REQUIRE_BF16();
    // Values around ties: 1 + 2^-8 (tie, rounds to even 1), 1 + 3·2^-8 (tie, rounds up), negatives.
    std::vector<float> x = test::random_floats(67, 4, -3.0f, 3.0f);
    x[0] = 1.0f + 0x1p-8f;
    x[1] = 1.0f + 3 * 0x1p-8f;
    x[33] = -(1.0f + 0x1p-8f);
    const Rounded r = round_acts(x, 67, 67, 1);
    for (int64_t i = 0; i < 67; ++i) {
        const uint32_t pair = r.x[static_cast<size_t>(i / 2)];
        EXPECT_EQ(i % 2 ? pair >> 16 : pair & 0xFFFFu, f32_to_bf16(x[static_cast<size_t>(i)])) << i;
    }
    EXPECT_EQ(r.x[33] >> 16, 0u) << "odd n: the last pair's high half is +0";
}

// Against float64 sums of the same bf16 weights and bf16-rounded activations: the only error is the
// fp32 accumulation, bounded by n·2^-24·Σ|w·x| (sequential summation).
TEST(Bf16Dot, MatchesFloat64OfRoundedInputs) {
    REQUIRE_BF16();
    for (int64_t rows : {1, 15, 16, 17, 33, 45})
        for (int64_t n : {2, 31, 32, 33, 64, 95, 130})
            for (int64_t T : {1, 2, 3, 4, 5, 8, 9, 13, 17, 40}) {
                const Weights w =
                    test::make_weights(DType::BF16, rows, n, static_cast<uint32_t>(rows * 7 + n * 3 + T));
                const int64_t ldx = n + 3, ldy = rows + 2;
                const std::vector<float> x = test::random_floats(T * ldx, static_cast<uint32_t>(n + T));
                const Rounded a = round_acts(x, n, ldx, T);
                std::vector<float> y(static_cast<size_t>(T * ldy), -7.0f);
                kernels::bf16_dot_matmul(w.bf16(), n, rows, a.acts, y.data(), ldy);
                for (int64_t t = 0; t < T; ++t) {
                    for (int64_t r = 0; r < rows; ++r) {
                        double s = 0, m = 0;
                        for (int64_t i = 0; i < n; ++i) {
                            const double p = static_cast<double>(bf16_to_f32(w.bf16()[r * n + i])) *
                                             bf16_to_f32(f32_to_bf16(x[t * ldx + i]));
                            s += p;
                            m += std::fabs(p);
                        }
                        ASSERT_NEAR(y[t * ldy + r], s, static_cast<double>(n) * 0x1p-24 * m + 1e-30)
                            << "rows=" << rows << " n=" << n << " T=" << T << " t=" << t << " r=" << r;
                    }
                    EXPECT_EQ(y[t * ldy + rows], -7.0f) << "wrote past the rows";
                    EXPECT_EQ(y[t * ldy + rows + 1], -7.0f);
                }
            }
}

// A token's outputs are the same bits whether it is multiplied alone (decode), in a batch of 16
// (prefill tile shapes 8 and 2x8) or with a different row range (task split).
TEST(Bf16Dot, ResultIndependentOfTokenCountAndRowSplit) {
    REQUIRE_BF16();
    const int64_t rows = 77, n = 200, T = 16;
    const Weights w = test::make_weights(DType::BF16, rows, n, 5);
    const std::vector<float> x = test::random_floats(T * n, 6);
    const Rounded all = round_acts(x, n, n, T);
    std::vector<float> y(static_cast<size_t>(T * rows)), one(static_cast<size_t>(rows));
    kernels::bf16_dot_matmul(w.bf16(), n, rows, all.acts, y.data(), rows);
    for (int64_t t = 0; t < T; ++t) {
        const kernels::Bf16Acts a{n, all.acts.pairs, 1, all.x.data() + t * all.acts.pairs};
        kernels::bf16_dot_matmul(w.bf16(), n, 16, a, one.data(), rows);  // rows 0-15
        kernels::bf16_dot_matmul(w.bf16() + 16 * n, n, rows - 16, a, one.data() + 16, rows);
        for (int64_t r = 0; r < rows; ++r) ASSERT_EQ(one[r], y[t * rows + r]) << "t=" << t << " r=" << r;
    }
}

// Through kernels::matmul (default switch): T = 1 and T = 16 agree bit for bit, the route is close
// to the exact fp32 path (bf16 activation rounding: ~2^-9 relative per element), and the switch
// restores the exact path.
TEST(Bf16Dot, MatmulRouteAndSwitch) {
    REQUIRE_BF16();
    ThreadPool pool(2);
    const int64_t rows = 300, n = 1024, T = 16;
    const Weights w = test::make_weights(DType::BF16, rows, n, 8);
    const std::vector<float> x = test::random_floats(T * n, 9);
    std::vector<float> y(static_cast<size_t>(T * rows)), y1(static_cast<size_t>(rows)),
        exact(static_cast<size_t>(T * rows));
    kernels::set_bf16_activations_override(true);
    ASSERT_TRUE(kernels::bf16_route(w.view));
    kernels::matmul(w.view, x.data(), n, T, y.data(), rows, pool);
    for (int64_t t = 0; t < T; ++t) {
        kernels::matmul(w.view, x.data() + t * n, n, 1, y1.data(), rows, pool);
        for (int64_t r = 0; r < rows; ++r) ASSERT_EQ(y1[r], y[t * rows + r]) << "t=" << t << " r=" << r;
    }
    kernels::set_bf16_activations_override(false);
    EXPECT_FALSE(kernels::bf16_route(w.view));
    kernels::matmul(w.view, x.data(), n, T, exact.data(), rows, pool);
    kernels::clear_bf16_activations_override();
    const double rel = test::rel_l2(y.data(), exact.data(), T * rows);
    EXPECT_GT(rel, 0.0) << "the route must not be the exact path";
    EXPECT_LT(rel, 1e-2);
    {
        test::IsaScope avx2(kernels::Isa::AVX2);  // HYSERVE_ISA=avx2 caps the route off
        EXPECT_FALSE(kernels::bf16_route(w.view));
    }
}

// matmul_many rounds each job's activations once and gives what one matmul per job gives.
TEST(Bf16Dot, ManyEqualsOneByOne) {
    REQUIRE_BF16();
    ThreadPool pool(2);
    kernels::set_bf16_activations_override(true);  // the route whatever HYSERVE_BF16_ACTIVATIONS says
    const Weights a = test::make_weights(DType::BF16, 96, 64, 11),
                  b = test::make_weights(DType::BF16, 41, 96, 12),
                  c = test::make_weights(DType::BF16, 7, 33, 13);
    const std::vector<float> x = test::random_floats(41 * 96, 21);
    for (int64_t T : {1, 5, 40}) {
        std::vector<float> y1(static_cast<size_t>(3 * T * 96), 0.0f), y2 = y1;
        const kernels::MatmulJob jobs[] = {{&a.view, x.data(), 64, T, y1.data(), 96},
                                           {&b.view, x.data() + 1, 96, T, y1.data() + T * 96, 41},
                                           {&c.view, x.data(), 96, T, y1.data() + 2 * T * 96, 7}};
        kernels::matmul_many(jobs, pool);
        kernels::matmul(a.view, x.data(), 64, T, y2.data(), 96, pool);
        kernels::matmul(b.view, x.data() + 1, 96, T, y2.data() + T * 96, 41, pool);
        kernels::matmul(c.view, x.data(), 96, T, y2.data() + 2 * T * 96, 7, pool);
        EXPECT_EQ(y1, y2) << "T=" << T;
    }
    kernels::clear_bf16_activations_override();
}

// Rows rewritten in place as 16-row panels (the loader's layout, model/bf16_panels.h): every token
// count (decode 1-4, prefill tiles) and every panel-aligned row split gives the bits of the rows as
// stored; the rows after the last whole panel stay as stored and are read as such.
TEST(Bf16Dot, PanelsInPlaceGiveTheStoredLayoutsBits) {
    REQUIRE_BF16();
    kernels::set_bf16_activations_override(true);
    for (int64_t rows : {16, 40, 64, 77})
        for (int64_t n : {2, 64, 66, 1024}) {
            const Weights w = test::make_weights(DType::BF16, rows, n, static_cast<uint32_t>(rows + 5 * n));
            Weights packed = w;
            packed.view.data = packed.bytes.data();
            kernels::pack_bf16_panels_in_place(reinterpret_cast<uint16_t*>(packed.bytes.data()), rows, n);
            packed.view.bf16_panels = true;
            if (n > 2) {  // one pair per row: the panel layout is the stored one
                EXPECT_NE(0, std::memcmp(w.bytes.data(), packed.bytes.data(), w.bytes.size()))
                    << "not rewritten";
            }
            const int64_t tail = rows / 16 * 16;
            EXPECT_EQ(0, std::memcmp(w.bytes.data() + tail * n * 2, packed.bytes.data() + tail * n * 2,
                                     static_cast<size_t>((rows - tail) * n * 2)))
                << "the rows after the last panel stay as stored";
            for (int64_t T : {1, 2, 3, 4, 5, 9, 17}) {
                const std::vector<float> x = test::random_floats(T * n, static_cast<uint32_t>(T + n));
                const Rounded a = round_acts(x, n, n, T);
                std::vector<float> want(static_cast<size_t>(T * rows)), got(want.size(), -7.0f);
                kernels::bf16_dot_matmul(w.bf16(), n, rows, a.acts, want.data(), rows);
                for (int64_t split : {int64_t{16}, int64_t{32}, rows}) {
                    std::fill(got.begin(), got.end(), -7.0f);
                    for (int64_t r0 = 0; r0 < rows; r0 += split)
                        kernels::bf16_matmul_rows(packed.view, r0, std::min(rows, r0 + split), a.acts,
                                                  got.data(), rows);
                    ASSERT_EQ(0, std::memcmp(want.data(), got.data(), want.size() * sizeof(float)))
                        << "rows=" << rows << " n=" << n << " T=" << T << " split=" << split;
                }
            }
        }
    kernels::clear_bf16_activations_override();
}

}  // namespace
}  // namespace hy
