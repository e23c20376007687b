// Conv1d (prefill vs naive vs step-wise), RMSNorm, gated RMSNorm and LayerNorm against naive loops.
#include <gtest/gtest.h>

#include "kernel_test_util.h"
#include "kernels/activations.h"
#include "kernels/conv1d.h"
#include "kernels/norm.h"

namespace hy {
namespace {

TEST(Conv1d, PrefillMatchesNaiveAndSteps) {
    for (int64_t K : {1, 2, 4})
        for (int64_t C : {1, 5, 33})
            for (int64_t T : {1, 2, 3, 9}) {
                const int64_t ldx = C + 2;
                const auto x = test::random_floats(T * ldx, 1);
                const auto w = test::random_floats(C * K, 2);
                const auto b = test::random_floats(C, 3);
                const auto st0 = test::random_floats((K - 1) * C, 4);
                // Naive: the stream [state ; x].
                std::vector<float> ref(static_cast<size_t>(T * C));
                for (int64_t t = 0; t < T; ++t)
                    for (int64_t c = 0; c < C; ++c) {
                        double acc = b[c];
                        for (int64_t j = 0; j < K; ++j) {
                            const int64_t q = t - K + 1 + j;
                            acc += static_cast<double>(w[c * K + j]) *
                                   (q >= 0 ? x[q * ldx + c] : st0[(K - 1 + q) * C + c]);
                        }
                        ref[t * C + c] = kernels::silu(static_cast<float>(acc));
                    }
                std::vector<float> st = st0, out(static_cast<size_t>(T * C));
                kernels::conv1d_silu(x.data(), ldx, T, C, K, w.data(), b.data(), st.data(), out.data(), C);
                for (size_t i = 0; i < ref.size(); ++i)
                    ASSERT_NEAR(out[i], ref[i], 1e-5) << K << " " << C << " " << T;
                std::vector<float> st2 = st0, out2(out.size());
                for (int64_t t = 0; t < T; ++t)
                    kernels::conv1d_silu(x.data() + t * ldx, ldx, 1, C, K, w.data(), b.data(), st2.data(),
                                         out2.data() + t * C, C);
                EXPECT_EQ(out, out2);
                EXPECT_EQ(st, st2);
                if (K > 1 && T >= K - 1) {  // state = last K−1 inputs
                    for (int64_t c = 0; c < C; ++c) EXPECT_EQ(st[(K - 2) * C + c], x[(T - 1) * ldx + c]);
                }
            }
}

// The decode step over a channel slice of a wider state (the fused Mamba2 step, issue 10) is the
// T = 1 conv1d_silu bit for bit, and leaves the other channels alone.
TEST(Conv1d, StepOnChannelSliceMatchesFullStep) {
    for (int64_t K : {2, 3, 4}) {
        const int64_t C = 37, c0 = 5, n = 19;
        const auto x = test::random_floats(C, 1);
        const auto w = test::random_floats(C * K, 2);
        const auto b = test::random_floats(C, 3);
        const auto st0 = test::random_floats((K - 1) * C, 4);
        std::vector<float> st = st0, out(C);
        kernels::conv1d_silu(x.data(), C, 1, C, K, w.data(), b.data(), st.data(), out.data(), C);
        std::vector<float> st2 = st0, out2(C, -7.0f);
        kernels::conv1d_silu_step(x.data() + c0, n, K, w.data() + c0 * K, b.data() + c0, st2.data() + c0, C,
                                  out2.data() + c0);
        for (int64_t c = 0; c < C; ++c) {
            const bool in = c >= c0 && c < c0 + n;
            EXPECT_EQ(out2[c], in ? out[c] : -7.0f) << K << " " << c;
            for (int64_t j = 0; j + 1 < K; ++j)
                EXPECT_EQ(st2[j * C + c], in ? st[j * C + c] : st0[j * C + c]) << K << " " << c;
        }
    }
}

TEST(Norm, RmsGatedAndLayerNorm) {
    for (int64_t n : {1, 7, 64}) {
        const auto x = test::random_floats(n, 1), z = test::random_floats(n, 2),
                   w = test::random_floats(n, 3);
        std::vector<float> out(static_cast<size_t>(n));
        double ss = 0, mean = 0, var = 0;
        for (float v : x) {
            ss += static_cast<double>(v) * v;
            mean += v;
        }
        mean /= static_cast<double>(n);
        for (float v : x) var += (v - mean) * (v - mean);
        kernels::rmsnorm(x.data(), w.data(), n, 1e-5f, out.data());
        for (int64_t i = 0; i < n; ++i) EXPECT_NEAR(out[i], w[i] * x[i] / std::sqrt(ss / n + 1e-5), 1e-5);
        kernels::layernorm(x.data(), w.data(), n, 1e-5f, out.data());
        for (int64_t i = 0; i < n; ++i)
            EXPECT_NEAR(out[i], w[i] * (x[i] - mean) / std::sqrt(var / n + 1e-5), 1e-5);
        const int64_t group = n % 2 == 0 ? n / 2 : n;
        kernels::gated_rmsnorm(x.data(), z.data(), w.data(), n, group, 1e-5f, out.data());
        for (int64_t g0 = 0; g0 < n; g0 += group) {
            double s = 0;
            for (int64_t i = g0; i < g0 + group; ++i) {
                const double v = x[i] * kernels::silu(z[i]);
                s += v * v;
            }
            for (int64_t i = g0; i < g0 + group; ++i)
                EXPECT_NEAR(out[i], w[i] * x[i] * kernels::silu(z[i]) / std::sqrt(s / group + 1e-5), 1e-5);
        }
    }
}

}  // namespace
}  // namespace hy
