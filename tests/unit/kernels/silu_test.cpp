// The vector SiLU of the Mamba2 conv and gate (KernelTable::silu / mul_silu): within a few ulp of the
// scalar formula over the whole float range that matters, and the same bits for a value wherever it
// sits in a row (full vector or tail), so prefill and decode, cut into different channel ranges, agree.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kernel_test_util.h"
#include "kernels/isa.h"

namespace hy {
namespace {

TEST(Silu, MatchesScalarFormulaOnEveryIsa) {
    std::vector<float> x;
    for (float v = -120.0f; v <= 120.0f; v += 0.0137f) x.push_back(v);
    for (float v : {0.0f, -0.0f, 1e-30f, -1e-30f, 87.5f, -87.5f, 88.5f, -88.5f, 1e30f, -1e30f})
        x.push_back(v);
    for (kernels::Isa isa : test::supported_isas()) {
        test::IsaScope scope(isa);
        std::vector<float> y = x;
        kernels::kernels().silu(y.data(), static_cast<int64_t>(y.size()));
        for (size_t i = 0; i < x.size(); ++i) {
            const double ref = x[i] / (1.0 + std::exp(-static_cast<double>(x[i])));
            // 4 ulp relative, or 1e-36 absolute: below x = -88 the vector gives -0 (vec_exp.h).
            EXPECT_NEAR(y[i], ref, std::max(4 * 1.2e-7 * std::fabs(ref), 1e-36))
                << kernels::isa_name(isa) << " x=" << x[i];
        }
    }
}

TEST(Silu, SameBitsInVectorAndTailPositions) {
    const auto x = test::random_floats(37, 1, -8.0f, 8.0f);
    const auto z = test::random_floats(37, 2, -8.0f, 8.0f);
    for (kernels::Isa isa : test::supported_isas()) {
        test::IsaScope scope(isa);
        const kernels::KernelTable& k = kernels::kernels();
        std::vector<float> whole = x, gated(37);
        k.silu(whole.data(), 37);
        k.mul_silu(x.data(), z.data(), gated.data(), 37);
        for (int64_t start : {1, 5, 16, 21, 36})  // every element again, from a different offset
            for (int64_t i = start; i < 37; ++i) {
                float one = x[i], g = 0.0f;
                k.silu(&one, 1);
                k.mul_silu(&x[i], &z[i], &g, 1);
                ASSERT_EQ(one, whole[i]) << kernels::isa_name(isa) << " i=" << i;
                ASSERT_EQ(g, gated[i]) << kernels::isa_name(isa) << " i=" << i;
            }
        std::vector<float> part(x.begin() + 5, x.end());
        k.silu(part.data(), 32);
        for (int64_t i = 0; i < 32; ++i) ASSERT_EQ(part[i], whole[i + 5]) << kernels::isa_name(isa);
    }
}

TEST(Silu, GateIsValueTimesSilu) {
    const auto y = test::random_floats(50, 3);
    const auto z = test::random_floats(50, 4, -10.0f, 10.0f);
    std::vector<float> out(50), s = z;
    kernels::kernels().mul_silu(y.data(), z.data(), out.data(), 50);
    kernels::kernels().silu(s.data(), 50);
    for (int i = 0; i < 50; ++i) EXPECT_EQ(out[i], y[i] * s[i]);
}

}  // namespace
}  // namespace hy
