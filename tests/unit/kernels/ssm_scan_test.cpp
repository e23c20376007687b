// SSM recurrence: the serial kernel against a naive double loop of spec §2.2.6, and the chunked
// SSD form (§2.4) against the serial one, for every ISA path, odd sizes and state continuation.
#include "kernels/ssm_scan.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "kernel_test_util.h"

namespace hy {
namespace {

struct Problem {
    int64_t T, H, P, N, G;
    std::vector<float> x, B, C, dt, A, D, state0;
    Problem(int64_t T_, int64_t H_, int64_t P_, int64_t N_, int64_t G_) : T(T_), H(H_), P(P_), N(N_), G(G_) {
        x = test::random_floats(T * H * P, 1);
        B = test::random_floats(T * 2 * G * N, 2);  // B | C share rows as in the conv output
        dt = test::random_floats(T * H, 3, 0.01f, 0.5f);
        A = test::random_floats(H, 4, -2.0f, -0.1f);
        D = test::random_floats(H, 5);
        state0 = test::random_floats(H * P * N, 6, -0.5f, 0.5f);
    }
    kernels::SsmInputs inputs(int64_t t0, int64_t n, float* state, float* y) const {
        kernels::SsmInputs in;
        in.T = n;
        in.H = H;
        in.P = P;
        in.N = N;
        in.G = G;
        in.x = x.data() + t0 * H * P;
        in.ldx = H * P;
        in.B = B.data() + t0 * 2 * G * N;
        in.C = in.B + G * N;
        in.ldbc = 2 * G * N;
        in.dt = dt.data() + t0 * H;
        in.lddt = H;
        in.A = A.data();
        in.D = D.data();
        in.state = state;
        in.y = y + t0 * H * P;
        in.ldy = H * P;
        return in;
    }
};

// Spec §2.2.6 token by token in double.
void naive(const Problem& p, std::vector<double>& S, std::vector<double>& y) {
    for (int64_t t = 0; t < p.T; ++t)
        for (int64_t h = 0; h < p.H; ++h) {
            const int64_t g = h / (p.H / p.G);
            const double dt = p.dt[t * p.H + h], a = std::exp(dt * p.A[h]);
            for (int64_t i = 0; i < p.P; ++i) {
                const double xv = p.x[t * p.H * p.P + h * p.P + i];
                double acc = 0;
                for (int64_t n = 0; n < p.N; ++n) {
                    double& s = S[(h * p.P + i) * p.N + n];
                    s = a * s + dt * xv * p.B[t * 2 * p.G * p.N + g * p.N + n];
                    acc += s * p.B[t * 2 * p.G * p.N + p.G * p.N + g * p.N + n];
                }
                y[t * p.H * p.P + h * p.P + i] = acc + p.D[h] * xv;
            }
        }
}

TEST(SsmScan, SerialMatchesNaive) {
    for (auto dims :
         {std::vector<int64_t>{1, 2, 1, 1, 1}, {5, 4, 3, 17, 2}, {9, 8, 16, 16, 2}, {3, 6, 5, 33, 3}}) {
        Problem p(dims[0], dims[1], dims[2], dims[3], dims[4]);
        std::vector<double> S(p.state0.begin(), p.state0.end()), yref(static_cast<size_t>(p.T * p.H * p.P));
        naive(p, S, yref);
        for (kernels::Isa isa : test::supported_isas()) {
            test::IsaScope scope(isa);
            std::vector<float> state = p.state0, y(yref.size());
            kernels::ssm_scan_serial(p.inputs(0, p.T, state.data(), y.data()));
            for (size_t i = 0; i < y.size(); ++i)
                ASSERT_NEAR(y[i], yref[i], 1e-4 * (1 + std::fabs(yref[i]))) << i;
            for (size_t i = 0; i < S.size(); ++i)
                ASSERT_NEAR(state[i], S[i], 1e-4 * (1 + std::fabs(S[i]))) << i;
        }
    }
}

TEST(SsmScan, SerialRowsAreReducedAlike) {
    // The AVX-512 copy reduces 16 state rows at once (hsum16, kernel_impl.h) and the rows past a
    // multiple of 16 one by one: both must give the same bits (decode batch invariance rests on
    // one reduction order). With P = 17, row 16 (one by one) repeats row 0's data (16-row pass).
    Problem p(3, 4, 17, 32, 2);
    for (int64_t t = 0; t < p.T; ++t)
        for (int64_t h = 0; h < p.H; ++h) p.x[(t * p.H + h) * p.P + 16] = p.x[(t * p.H + h) * p.P];
    for (int64_t h = 0; h < p.H; ++h)
        std::copy_n(p.state0.begin() + h * p.P * p.N, p.N, p.state0.begin() + (h * p.P + 16) * p.N);
    for (kernels::Isa isa : test::supported_isas()) {
        test::IsaScope scope(isa);
        std::vector<float> state = p.state0, y(static_cast<size_t>(p.T * p.H * p.P));
        kernels::ssm_scan_serial(p.inputs(0, p.T, state.data(), y.data()));
        for (int64_t t = 0; t < p.T; ++t)
            for (int64_t h = 0; h < p.H; ++h)
                EXPECT_EQ(y[static_cast<size_t>((t * p.H + h) * p.P + 16)],
                          y[static_cast<size_t>((t * p.H + h) * p.P)])
                    << kernels::isa_name(isa) << " t=" << t << " h=" << h;
        for (int64_t h = 0; h < p.H; ++h)
            EXPECT_TRUE(std::equal(state.begin() + h * p.P * p.N, state.begin() + h * p.P * p.N + p.N,
                                   state.begin() + (h * p.P + 16) * p.N))
                << kernels::isa_name(isa) << " h=" << h;
    }
}

TEST(SsmScan, ChunkedMatchesSerial) {
    for (auto dims :
         {std::vector<int64_t>{1, 2, 3, 5, 1}, {7, 4, 3, 17, 2}, {40, 8, 16, 16, 2}, {130, 4, 8, 32, 1}})
        for (int64_t chunk : {1, 4, 7, 128}) {
            Problem p(dims[0], dims[1], dims[2], dims[3], dims[4]);
            std::vector<float> s_ref = p.state0, y_ref(static_cast<size_t>(p.T * p.H * p.P));
            {
                test::IsaScope scope(kernels::Isa::SCALAR);
                kernels::ssm_scan_serial(p.inputs(0, p.T, s_ref.data(), y_ref.data()));
            }
            for (kernels::Isa isa : test::supported_isas()) {
                test::IsaScope scope(isa);
                std::vector<float> state = p.state0, y(y_ref.size());
                const kernels::SsmInputs in = p.inputs(0, p.T, state.data(), y.data());
                std::vector<float> scratch(
                    static_cast<size_t>(kernels::ssm_chunked_scratch_floats(in, chunk)));
                kernels::ssm_scan_chunked(in, chunk, scratch.data());
                EXPECT_LT(test::rel_l2(y.data(), y_ref.data(), static_cast<int64_t>(y.size())), 1e-5)
                    << kernels::isa_name(isa) << " T=" << p.T << " chunk=" << chunk;
                EXPECT_LT(test::rel_l2(state.data(), s_ref.data(), static_cast<int64_t>(state.size())), 1e-5);
            }
        }
}

TEST(SsmScan, ChunkedContinuesFromState) {
    // Feeding 3 + 17 + 1 tokens in three chunked calls equals one serial pass.
    Problem p(21, 4, 8, 16, 2);
    std::vector<float> s_ref = p.state0, y_ref(static_cast<size_t>(p.T * p.H * p.P));
    kernels::ssm_scan_serial(p.inputs(0, p.T, s_ref.data(), y_ref.data()));
    std::vector<float> state = p.state0, y(y_ref.size()), scratch(4096);
    int64_t t0 = 0;
    for (int64_t n : {3, 17, 1}) {
        kernels::ssm_scan_chunked(p.inputs(t0, n, state.data(), y.data()), 8, scratch.data());
        t0 += n;
    }
    EXPECT_LT(test::rel_l2(y.data(), y_ref.data(), static_cast<int64_t>(y.size())), 1e-5);
    EXPECT_LT(test::rel_l2(state.data(), s_ref.data(), static_cast<int64_t>(state.size())), 1e-5);
}

}  // namespace
}  // namespace hy
