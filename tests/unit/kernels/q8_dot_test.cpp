// Q8_0 weights x int8-quantised activations (kernels/q8_dot.h, issue 10): every vector path equals
// the scalar reference bit for bit (the integer block sums are exact and the fp32 steps are the same
// operations in the same order), the scalar reference equals a float64 evaluation of the same
// quantised product, and through kernels::matmul the route stays close to the exact fp32 path.
#include "kernels/q8_dot.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "core/dtype.h"
#include "kernel_test_util.h"
#include "kernels/matmul.h"
#include "model/dequant.h"

namespace hy {
namespace {

std::vector<kernels::Isa> q8_isas() {
    std::vector<kernels::Isa> out;
    for (auto i : {kernels::Isa::SCALAR, kernels::Isa::AVX2, kernels::Isa::AVX512})
        if (kernels::q8_isa_supported(i)) out.push_back(i);
    return out;
}

// Raw Q8_0 rows: random bytes (every int8 value, -128 included, which the AVX2 sign trick and the
// VNNI bias must both handle) with random fp16 scales.
std::vector<uint8_t> raw_q8_rows(int64_t rows, int64_t cols, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> sc(0.001f, 0.05f);
    const int64_t rb = cols / 32 * 34;
    std::vector<uint8_t> w(static_cast<size_t>(rows * rb));
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t b = 0; b < cols / 32; ++b) {
            uint8_t* p = w.data() + r * rb + b * 34;
            const uint16_t d = f32_to_f16(rng() % 5 == 0 ? -sc(rng) : sc(rng));
            std::memcpy(p, &d, 2);
            for (int j = 0; j < 32; ++j) p[2 + j] = static_cast<uint8_t>(rng());
        }
    return w;
}

struct Quantised {
    std::vector<int8_t> q;
    std::vector<float> d;
    std::vector<int32_t> corr;
    kernels::Q8Acts acts(int64_t n, int64_t T) const { return {n, T, q.data(), d.data(), corr.data()}; }
};

Quantised quantise(const kernels::Q8Kernels& k, const std::vector<float>& x, int64_t n, int64_t T) {
    Quantised o;
    o.q.resize(static_cast<size_t>(n * T));
    o.d.resize(static_cast<size_t>(n / 32 * T));
    o.corr.resize(o.d.size());
    for (int64_t t = 0; t < T; ++t)
        k.quantize(x.data() + t * n, n, o.q.data() + t * n, o.d.data() + t * n / 32,
                   o.corr.data() + t * n / 32);
    return o;
}

TEST(Q8Dot, QuantiseMatchesScalarAndDefinition) {
    const int64_t n = 32 * 9;
    std::vector<float> x = test::random_floats(n, 4, -3.0f, 3.0f);
    for (int j = 0; j < 32; ++j) x[32 + j] = 0.0f;        // an all-zero block
    for (int j = 0; j < 32; ++j) x[64 + j] = 1e-39f * j;  // denormal scale: quantises to zeros
    for (int j = 0; j < 32; ++j) x[96 + j] = (j % 2 ? 0.5f : -0.5f) * (j + 1);  // ties after scaling
    const Quantised ref = quantise(kernels::q8_kernels(kernels::Isa::SCALAR), x, n, 1);
    for (int64_t b = 0; b < n / 32; ++b) {
        float amax = 0;
        int32_t s = 0;
        for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[b * 32 + j]));
        for (int j = 0; j < 32; ++j) {
            const int8_t q = ref.q[b * 32 + j];
            s += q;
            ASSERT_LE(std::abs(q), 127);
            if (ref.d[b] > 0) {
                EXPECT_LE(std::fabs(x[b * 32 + j] - ref.d[b] * q), 0.5001f * ref.d[b]);
            }
        }
        EXPECT_EQ(ref.corr[b], -128 * s);
        if (b != 2) {
            EXPECT_FLOAT_EQ(ref.d[b], amax / 127.0f) << b;
        }
    }
    EXPECT_EQ(ref.d[1], 0.0f);
    EXPECT_EQ(ref.d[2], 0.0f);
    for (kernels::Isa isa : q8_isas()) {
        const Quantised got = quantise(kernels::q8_kernels(isa), x, n, 1);
        EXPECT_EQ(got.q, ref.q) << kernels::isa_name(isa);
        EXPECT_EQ(got.d, ref.d) << kernels::isa_name(isa);
        EXPECT_EQ(got.corr, ref.corr) << kernels::isa_name(isa);
    }
}

// The scalar reference against Σ_b d_w·d_x·I_b in float64 from the same quantised operands, and
// every vector path (decode GEMV for T <= 4, prefill GEMM above) bit-identical to it.
TEST(Q8Dot, MatmulBitExactAcrossIsas) {
    for (int64_t rows : {1, 3, 4, 5, 16, 17, 37})
        for (int64_t cols : {32, 96, 1024})
            for (int64_t T : {1, 2, 4, 5, 9}) {
                const std::vector<uint8_t> w =
                    raw_q8_rows(rows, cols, static_cast<uint32_t>(rows * 7 + cols + T));
                const std::vector<float> x =
                    test::random_floats(T * cols, static_cast<uint32_t>(T + cols), -2, 2);
                const int64_t rb = cols / 32 * 34, ldy = rows + 3;
                const Quantised qa = quantise(kernels::q8_kernels(kernels::Isa::SCALAR), x, cols, T);
                const kernels::Q8Acts a = qa.acts(cols, T);
                std::vector<float> ref(static_cast<size_t>(T * ldy), -7.0f);
                kernels::q8_kernels(kernels::Isa::SCALAR).matmul(w.data(), rb, rows, a, ref.data(), ldy);
                for (int64_t t = 0; t < T; ++t)
                    for (int64_t r = 0; r < rows; ++r) {
                        double s = 0, mag = 0;
                        for (int64_t b = 0; b < cols / 32; ++b) {
                            const uint8_t* p = w.data() + r * rb + b * 34;
                            int64_t I = 0;
                            for (int j = 0; j < 32; ++j)
                                I += static_cast<int8_t>(p[2 + j]) * qa.q[t * cols + b * 32 + j];
                            uint16_t h;
                            std::memcpy(&h, p, 2);
                            const double sc = static_cast<double>(f16_to_f32(h)) * qa.d[t * cols / 32 + b];
                            s += sc * static_cast<double>(I);
                            mag += std::fabs(sc * static_cast<double>(I));
                        }
                        // fp32 accumulation of nb terms: a few ulps of the magnitude.
                        ASSERT_NEAR(ref[t * ldy + r], s, 2e-6 * mag + 1e-9)
                            << rows << "x" << cols << " T=" << T;
                    }
                for (kernels::Isa isa : q8_isas()) {
                    std::vector<float> y(static_cast<size_t>(T * ldy), -7.0f);
                    kernels::q8_kernels(isa).matmul(w.data(), rb, rows, a, y.data(), ldy);
                    ASSERT_EQ(0, std::memcmp(y.data(), ref.data(), y.size() * sizeof(float)))
                        << kernels::isa_name(isa) << " " << rows << "x" << cols << " T=" << T;
                }
            }
}

// Through kernels::matmul (pool, quantise once per call, matmul_many): the quantised route against
// the exact path (dequantised weights times fp32 activations, HYSERVE_Q8_ACTIVATIONS=f32). The
// bound is the activation rounding: per block |x - d·q| <= d/2 with d = amax/127, i.e. about
// 1/(127·sqrt(12)) = 2.3e-3 of a block's amax per value; for uniform random activations the
// product's rel. L2 error measured 4e-3 (1024 columns). 1e-2 leaves room for other shapes.
TEST(Q8Dot, RouteCloseToExactPath) {
    ThreadPool pool(2);
    const int64_t rows = 70, cols = 1024;
    std::vector<float> wf = test::random_floats(rows * cols, 8);
    std::vector<uint8_t> wq(static_cast<size_t>(rows * cols / 32 * 34));
    for (int64_t r = 0; r < rows; ++r)
        quantize_row_q8_0(wf.data() + r * cols, wq.data() + r * cols / 32 * 34, cols);
    TensorView W;
    W.dtype = DType::Q8_0;
    W.shape = {rows, cols};
    W.data = wq.data();
    W.nbytes = wq.size();
    for (int64_t T : {1, 3, 9, 33}) {
        const std::vector<float> x = test::random_floats(T * cols, static_cast<uint32_t>(T));
        std::vector<float> exact(static_cast<size_t>(T * rows)), q8 = exact, many = exact;
        kernels::set_q8_activations_override(false);
        kernels::matmul(W, x.data(), cols, T, exact.data(), rows, pool);
        kernels::set_q8_activations_override(true);
        kernels::matmul(W, x.data(), cols, T, q8.data(), rows, pool);
        const kernels::MatmulJob job{&W, x.data(), cols, T, many.data(), rows};
        kernels::matmul_many({&job, 1}, pool);
        kernels::clear_q8_activations_override();
        const double e = test::rel_l2(q8.data(), exact.data(), T * rows);
        EXPECT_GT(e, 0.0) << "the route did not run: T=" << T;
        EXPECT_LT(e, 1e-2) << "T=" << T;
        EXPECT_EQ(many, q8) << "T=" << T;
    }
}

}  // namespace
}  // namespace hy
