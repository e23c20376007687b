#include "core/dtype.h"

#include <gtest/gtest.h>

#include <cmath>

namespace hy {

TEST(DType, Bf16RoundTripsExactValues) {
    for (float f : {0.0f, 1.0f, -2.5f, 65536.0f, 0.15625f}) EXPECT_EQ(bf16_to_f32(f32_to_bf16(f)), f);
}

TEST(DType, Bf16RoundsToNearestEven) {
    // 1 + 2^-8 lies exactly between two bf16 values (1 and 1 + 2^-7): ties go to the even mantissa (1).
    EXPECT_EQ(bf16_to_f32(f32_to_bf16(1.0f + std::ldexp(1.0f, -8))), 1.0f);
    EXPECT_EQ(bf16_to_f32(f32_to_bf16(1.0f + 3 * std::ldexp(1.0f, -8))), 1.0f + std::ldexp(1.0f, -6));
}

TEST(DType, F16MatchesIeeeHalf) {
    EXPECT_EQ(f16_to_f32(0x3c00), 1.0f);
    EXPECT_EQ(f16_to_f32(0xc000), -2.0f);
    EXPECT_EQ(f16_to_f32(0x7bff), 65504.0f);
    EXPECT_EQ(f16_to_f32(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
    EXPECT_TRUE(std::isinf(f16_to_f32(0x7c00)));
    for (uint32_t h = 0; h < 0x7c00; ++h) EXPECT_EQ(f32_to_f16(f16_to_f32(static_cast<uint16_t>(h))), h);
    EXPECT_EQ(f32_to_f16(1e6f), 0x7c00);
}

TEST(DType, F8E4M3) {
    EXPECT_EQ(f8e4m3_to_f32(0x38), 1.0f);   // exp 7, mant 0
    EXPECT_EQ(f8e4m3_to_f32(0x7e), 448.0f);  // largest finite
    EXPECT_EQ(f8e4m3_to_f32(0x01), std::ldexp(1.0f, -9));
    EXPECT_TRUE(std::isnan(f8e4m3_to_f32(0x7f)));
}

TEST(DType, BlockSizes) {
    EXPECT_EQ(dtype_bytes(DType::Q8_0, 64), 68u);
    EXPECT_EQ(dtype_bytes(DType::Q4_K, 256), 144u);
    EXPECT_EQ(dtype_bytes(DType::Q6_K, 512), 420u);
    EXPECT_FALSE(dtype_row_ok(DType::Q4_0, 48));
}

}  // namespace hy
