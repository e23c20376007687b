// Narrow K/V storage conversions (kv_convert.h): e4m3 codes, rounding, saturation, NaN, scales; bf16 RNE.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "core/dtype.h"
#include "kernel_test_util.h"
#include "kernels/isa.h"
#include "kernels/kv_convert.h"

namespace hy {
namespace {

using kernels::e4m3_to_f32;
using kernels::f32_to_e4m3;
using kernels::KvDtype;

TEST(KvConvert, E4m3DecodeMatchesReferenceAndRoundTrips) {
    for (int c = 0; c < 256; ++c) {
        const uint8_t v = static_cast<uint8_t>(c);
        const float f = e4m3_to_f32(v), ref = f8e4m3_to_f32(v);
        if ((c & 0x7f) == 0x7f) {
            EXPECT_TRUE(std::isnan(f)) << c;
            EXPECT_EQ(f32_to_e4m3(f) & 0x7f, 0x7f) << c;
            continue;
        }
        EXPECT_EQ(f, ref) << c;
        EXPECT_EQ(f32_to_e4m3(f), v) << c;  // every finite code (±0 included) round-trips
    }
}

TEST(KvConvert, E4m3RoundsToNearestEvenAndSaturates) {
    EXPECT_EQ(f32_to_e4m3(1.0f), 0x38);
    EXPECT_EQ(f32_to_e4m3(1.0625f), 0x38);   // halfway between 1 and 1.125: even (1)
    EXPECT_EQ(f32_to_e4m3(1.1875f), 0x3a);   // halfway between 1.125 and 1.25: even (1.25)
    EXPECT_EQ(f32_to_e4m3(1.07f), 0x39);     // above halfway
    EXPECT_EQ(f32_to_e4m3(0x1p-9f), 0x01);   // smallest subnormal
    EXPECT_EQ(f32_to_e4m3(0x1p-10f), 0x00);  // half of it: ties to even (0)
    EXPECT_EQ(f32_to_e4m3(3 * 0x1p-10f), 0x02);
    EXPECT_EQ(f32_to_e4m3(0x1p-6f), 0x08);           // smallest normal
    EXPECT_EQ(f32_to_e4m3(15.5f * 0x1p-10f), 0x08);  // 7.75·2^-9 rounds up into it
    EXPECT_EQ(f32_to_e4m3(448.0f), 0x7e);
    EXPECT_EQ(f32_to_e4m3(464.0f), 0x7e);  // would round to 480 (the NaN code): saturates
    EXPECT_EQ(f32_to_e4m3(1e30f), 0x7e);
    EXPECT_EQ(f32_to_e4m3(std::numeric_limits<float>::infinity()), 0x7e);
    EXPECT_EQ(f32_to_e4m3(-std::numeric_limits<float>::infinity()), 0xfe);
    EXPECT_EQ(f32_to_e4m3(-448.0f), 0xfe);
    EXPECT_EQ(f32_to_e4m3(std::nanf("")), 0x7f);
    EXPECT_EQ(f32_to_e4m3(-0.0f), 0x80);
}

TEST(KvConvert, Bf16RoundsToNearestEven) {
    EXPECT_EQ(f32_to_bf16(1.0f + 0x1p-8f), f32_to_bf16(1.0f));           // tie → even
    EXPECT_EQ(f32_to_bf16(1.0f + 3 * 0x1p-8f), f32_to_bf16(1.015625f));  // tie → even (up)
    EXPECT_EQ(bf16_to_f32(f32_to_bf16(1.0f + 0x1p-8f + 0x1p-20f)), 1.0f + 0x1p-7f);
    EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(std::nanf("")))));
}

TEST(KvConvert, Fp8RowsKeepRelativeErrorPerHead) {
    const int64_t Hkv = 3, dh = 37;
    for (float range : {1e-3f, 1.0f, 5e4f}) {
        auto x = test::random_floats(Hkv * dh, 4, -range, range);
        x[5] = 0.0f;
        std::vector<uint8_t> row(kernels::kv_row_bytes(kernels::KvDtype::FP8, Hkv, dh));
        ASSERT_EQ(row.size(), static_cast<size_t>(Hkv * dh + Hkv));
        kernels::encode_kv_row(kernels::KvDtype::FP8, x.data(), Hkv, dh, row.data());
        for (int64_t g = 0; g < Hkv; ++g) {
            std::vector<float> y(dh);
            kernels::decode_kv_head(kernels::KvDtype::FP8, row.data(), Hkv, dh, g, y.data());
            float amax = 0;
            for (int64_t i = 0; i < dh; ++i) amax = std::max(amax, std::fabs(x[g * dh + i]));
            const float scale = std::ldexp(1.0f, static_cast<int8_t>(row[Hkv * dh + g]));
            EXPECT_GT(amax / scale, 224.0f);
            EXPECT_LE(amax / scale, 448.0f);
            for (int64_t i = 0; i < dh; ++i) {
                const float a = x[g * dh + i];
                // Half an ulp of a 3-bit mantissa, or of the smallest subnormal step (2^-9 · scale).
                EXPECT_LE(std::fabs(y[i] - a), std::max(std::fabs(a) * 0x1p-4f, 0x1p-10f * scale)) << range;
            }
        }
        EXPECT_EQ(row[5], 0);
    }
    // Non-finite values: NaN stays NaN, infinities saturate at ±448·scale, the scale ignores them.
    std::vector<float> x(dh, 0.5f);
    x[0] = std::nanf("");
    x[1] = std::numeric_limits<float>::infinity();
    std::vector<uint8_t> row(dh + 1);
    kernels::encode_kv_row(kernels::KvDtype::FP8, x.data(), 1, dh, row.data());
    std::vector<float> y(dh);
    kernels::decode_kv_head(kernels::KvDtype::FP8, row.data(), 1, dh, 0, y.data());
    EXPECT_TRUE(std::isnan(y[0]));
    EXPECT_EQ(y[1], 448.0f * std::ldexp(1.0f, static_cast<int8_t>(row[dh])));
    EXPECT_EQ(y[2], 0.5f);
}

// Every e4m3 byte under scales across the range (those past bf16's normal range included) widens to
// the bf16 whose bits are the upper half of decode_kv_head's fp32 value.
TEST(KvConvert, Fp8WidensToBf16Exactly) {
    if (!kernels::isa_supported(kernels::Isa::AVX512)) GTEST_SKIP() << "needs AVX-512";
    const int64_t Hkv = 2, dh = 256 + 40;  // every byte in each head, then a partial 32-byte chunk
    const std::vector<int> scales = {-126, -118, -117, -60, -9, 0, 5, 60, 119, 120, 127};
    const int64_t n = static_cast<int64_t>(scales.size()), rb = kernels::kv_row_bytes(KvDtype::FP8, Hkv, dh);
    std::vector<uint8_t> rows(static_cast<size_t>(n * rb));
    for (int64_t j = 0; j < n; ++j)
        for (int64_t g = 0; g < Hkv; ++g) {
            for (int64_t i = 0; i < dh; ++i) rows[j * rb + g * dh + i] = static_cast<uint8_t>(i + 37 * g + j);
            rows[j * rb + Hkv * dh + g] = static_cast<uint8_t>(static_cast<int8_t>(scales[(j + g) % n]));
        }
    std::vector<uint16_t> got(static_cast<size_t>(n * Hkv * dh));
    kernels::widen_fp8_rows_bf16_avx512(rows.data(), rb, n, Hkv, dh, got.data());
    std::vector<float> want(static_cast<size_t>(dh));
    for (int64_t j = 0; j < n; ++j)
        for (int64_t g = 0; g < Hkv; ++g) {
            kernels::decode_kv_head(KvDtype::FP8, rows.data() + j * rb, Hkv, dh, g, want.data());
            for (int64_t i = 0; i < dh; ++i) {
                uint32_t bits;
                std::memcpy(&bits, &want[static_cast<size_t>(i)], 4);
                ASSERT_EQ(got[static_cast<size_t>((j * Hkv + g) * dh + i)], bits >> 16)
                    << "byte " << int(rows[j * rb + g * dh + i]) << " scale " << scales[(j + g) % n];
            }
        }
}

}  // namespace
}  // namespace hy
