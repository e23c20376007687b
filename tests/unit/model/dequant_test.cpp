// Block formats checked against blocks written byte by byte here, with the expected values worked out
// by hand from the layouts documented in model/dequant.h (which are ggml's).
#include "model/dequant.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace hy {
namespace {

constexpr uint8_t kF16One[2] = {0x00, 0x3c};      // 1.0
constexpr uint8_t kF16Half[2] = {0x00, 0x38};     // 0.5
constexpr uint8_t kF16Two[2] = {0x00, 0x40};      // 2.0
constexpr uint8_t kF16Quarter[2] = {0x00, 0x34};  // 0.25

std::vector<float> deq(DType t, const std::vector<uint8_t>& bytes, int64_t n) {
    std::vector<float> out(static_cast<size_t>(n), -12345.0f);
    dequantize_row(t, bytes.data(), out.data(), n);
    return out;
}

TEST(Dequant, Q8_0) {
    // d = 0.5; q = -128, -1, 0, 1, 127, then 3 for the rest.
    std::vector<uint8_t> b = {kF16Half[0], kF16Half[1], 0x80, 0xff, 0x00, 0x01, 0x7f};
    b.resize(34, 0x03);
    const auto y = deq(DType::Q8_0, b, 32);
    EXPECT_EQ(y[0], -64.0f);
    EXPECT_EQ(y[1], -0.5f);
    EXPECT_EQ(y[2], 0.0f);
    EXPECT_EQ(y[3], 0.5f);
    EXPECT_EQ(y[4], 63.5f);
    for (int i = 5; i < 32; ++i) EXPECT_EQ(y[i], 1.5f) << i;
}

TEST(Dequant, Q8_0TwoBlocks) {
    std::vector<uint8_t> b(68, 0);
    b[0] = kF16One[0], b[1] = kF16One[1], b[2] = 5;             // block 0: x[0] = 5
    b[34] = kF16Two[0], b[35] = kF16Two[1], b[36 + 31] = 0xfe;  // block 1: x[63] = 2 * -2
    const auto y = deq(DType::Q8_0, b, 64);
    EXPECT_EQ(y[0], 5.0f);
    EXPECT_EQ(y[1], 0.0f);
    EXPECT_EQ(y[63], -4.0f);
}

TEST(Dequant, Q4_0) {
    // d = 2; qs[i] = i (low nibble) | (15 - i) << 4 (high nibble).
    // Element i < 16 is the low nibble of qs[i]: (i - 8) * 2. Element 16 + i: (15 - i - 8) * 2.
    std::vector<uint8_t> b = {kF16Two[0], kF16Two[1]};
    for (int i = 0; i < 16; ++i) b.push_back(static_cast<uint8_t>(i | ((15 - i) << 4)));
    const auto y = deq(DType::Q4_0, b, 32);
    EXPECT_EQ(y[0], -16.0f);   // nibble 0
    EXPECT_EQ(y[8], 0.0f);     // nibble 8
    EXPECT_EQ(y[15], 14.0f);   // nibble 15
    EXPECT_EQ(y[16], 14.0f);   // high nibble of qs[0] = 15
    EXPECT_EQ(y[31], -16.0f);  // high nibble of qs[15] = 0
    for (int i = 0; i < 16; ++i) {
        EXPECT_EQ(y[i], static_cast<float>((i - 8) * 2)) << i;
        EXPECT_EQ(y[16 + i], static_cast<float>((7 - i) * 2)) << i;
    }
}

// Sub-block scales and mins used below (6-bit each):
//   sc = {1, 2, 3, 4, 17, 33, 50, 63}, m = {0, 1, 2, 3, 20, 40, 5, 63}
// packed by hand:
//   scales[0..3]  = sc[0..3] | (sc[4..7] >> 4) << 6  -> 0x41 0x82 0xC3 0xC4
//   scales[4..7]  = m[0..3]  | (m[4..7] >> 4) << 6   -> 0x40 0x81 0x02 0xC3
//   scales[8..11] = (sc[4..7] & 15) | (m[4..7] & 15) << 4 -> 0x41 0x81 0x52 0xFF
constexpr int kSc[8] = {1, 2, 3, 4, 17, 33, 50, 63};
constexpr int kM[8] = {0, 1, 2, 3, 20, 40, 5, 63};
constexpr uint8_t kQ4KScales[12] = {0x41, 0x82, 0xC3, 0xC4, 0x40, 0x81, 0x02, 0xC3, 0x41, 0x81, 0x52, 0xFF};

TEST(Dequant, Q4_K) {
    // d = 1, dmin = 0.5. qs[32c + l] = (l % 16) | ((l + c) % 16) << 4 for chunk c = 0..3:
    // the low nibbles are sub-block 2c, the high nibbles sub-block 2c + 1.
    std::vector<uint8_t> b = {kF16One[0], kF16One[1], kF16Half[0], kF16Half[1]};
    b.insert(b.end(), kQ4KScales, kQ4KScales + 12);
    for (int c = 0; c < 4; ++c)
        for (int l = 0; l < 32; ++l) b.push_back(static_cast<uint8_t>((l % 16) | (((l + c) % 16) << 4)));
    ASSERT_EQ(b.size(), 144u);
    const auto y = deq(DType::Q4_K, b, 256);
    // Spot checks, by hand: x = d * sc[j] * nib - dmin * m[j].
    EXPECT_EQ(y[0], 0.0f);                         // j=0, nib 0: 1*1*0 - 0.5*0
    EXPECT_EQ(y[5], 5.0f);                         // j=0, nib 5
    EXPECT_EQ(y[32 + 1], 2.0f * 1 - 0.5f * 1);     // j=1 (high nibbles of chunk 0), l=1: nib (1+0)%16 = 1
    EXPECT_EQ(y[4 * 32 + 3], 17.0f * 3 - 10.0f);   // j=4 (low, chunk 2), l=3: nib 3 -> 51 - 0.5*20 = 41
    EXPECT_EQ(y[5 * 32 + 3], 145.0f);              // j=5 (high, chunk 2), l=3: nib 5 -> 33*5 - 0.5*40
    EXPECT_EQ(y[7 * 32 + 31], 63.0f * 2 - 31.5f);  // j=7 (high, chunk 3), l=31: nib (31+3)%16 = 2
    for (int j = 0; j < 8; ++j) {
        const int c = j / 2;
        for (int l = 0; l < 32; ++l) {
            const int nib = (j % 2 == 0) ? l % 16 : (l + c) % 16;
            EXPECT_EQ(y[j * 32 + l], static_cast<float>(kSc[j] * nib) - 0.5f * static_cast<float>(kM[j]))
                << "sub-block " << j << " element " << l;
        }
    }
}

TEST(Dequant, Q6_K) {
    // ql[k] = k, qh[k] = 0xE4 (bits 00 01 10 11 from low to high: the 2-bit highs 0, 1, 2, 3),
    // scales = 1, -2, 3, -4, ..., 15, -16; d = 0.25.
    std::vector<uint8_t> b;
    for (int k = 0; k < 128; ++k) b.push_back(static_cast<uint8_t>(k));
    b.insert(b.end(), 64, 0xE4);
    for (int s = 0; s < 16; ++s)
        b.push_back(static_cast<uint8_t>(static_cast<int8_t>((s % 2 ? -1 : 1) * (s + 1))));
    b.push_back(kF16Quarter[0]);
    b.push_back(kF16Quarter[1]);
    ASSERT_EQ(b.size(), 210u);
    const auto y = deq(DType::Q6_K, b, 256);
    auto scale = [](int s) { return static_cast<float>((s % 2 ? -1 : 1) * (s + 1)); };
    // Element 0: ql[0] = 0 low nibble 0, high bits (qh>>0)&3 = 0 -> q = 0 - 32; scale sc[0] = 1.
    EXPECT_EQ(y[0], 0.25f * 1 * -32);
    // Element 33 (l = 1, second quarter): ql[33] & 15 = 1, (qh >> 2) & 3 = 1 -> q = 17 - 32 = -15; sc[2] = 3.
    EXPECT_EQ(y[33], 0.25f * 3 * -15);
    // Element 64 + 17: ql[17] >> 4 = 1, (qh >> 4) & 3 = 2 -> q = 33 - 32 = 1; sc[17/16 + 4] = sc[5] = -6.
    EXPECT_EQ(y[81], 0.25f * -6 * 1);
    // Element 96 + 31: ql[63] >> 4 = 3, (qh >> 6) & 3 = 3 -> q = 51 - 32 = 19; sc[1 + 6] = sc[7] = -8.
    EXPECT_EQ(y[127], 0.25f * -8 * 19);
    // Second half (elements 128..255) uses ql[64..127], qh[32..63], sc[8..15].
    // Element 128: ql[64] & 15 = 0 -> q = -32, sc[8] = 9.
    EXPECT_EQ(y[128], 0.25f * 9 * -32);
    // Element 255 = 128 + 96 + 31: ql[64 + 63] = 127 -> >> 4 = 7, high 3 -> q = 55 - 32 = 23; sc[15] = -16.
    EXPECT_EQ(y[255], 0.25f * -16 * 23);
    for (int h = 0; h < 2; ++h) {
        for (int l = 0; l < 32; ++l) {
            const int ql0 = 64 * h + l, ql1 = 64 * h + l + 32;
            const int q[4] = {(ql0 & 15) | (0 << 4), (ql1 & 15) | (1 << 4), (ql0 >> 4) | (2 << 4),
                              (ql1 >> 4) | (3 << 4)};
            for (int k = 0; k < 4; ++k)
                EXPECT_EQ(y[128 * h + 32 * k + l],
                          0.25f * scale(8 * h + l / 16 + 2 * k) * static_cast<float>(q[k] - 32))
                    << "half " << h << " quarter " << k << " l " << l;
        }
    }
}

TEST(Dequant, ScalarTypes) {
    const uint8_t f16[4] = {0x00, 0x3c, 0x00, 0xc0};  // 1, -2
    float y[2];
    dequantize_row(DType::F16, f16, y, 2);
    EXPECT_EQ(y[0], 1.0f);
    EXPECT_EQ(y[1], -2.0f);
    const uint8_t bf16[4] = {0x80, 0x3f, 0x40, 0xc0};  // 1, -3
    dequantize_row(DType::BF16, bf16, y, 2);
    EXPECT_EQ(y[0], 1.0f);
    EXPECT_EQ(y[1], -3.0f);
    const uint8_t f8[2] = {0x38, 0xc0};  // 1, -2
    dequantize_row(DType::F8_E4M3, f8, y, 2);
    EXPECT_EQ(y[0], 1.0f);
    EXPECT_EQ(y[1], -2.0f);
    const float f32[2] = {3.5f, -0.25f};
    dequantize_row(DType::F32, reinterpret_cast<const uint8_t*>(f32), y, 2);
    EXPECT_EQ(y[0], 3.5f);
    EXPECT_EQ(y[1], -0.25f);
    const int32_t i32[2] = {-7, 9};
    dequantize_row(DType::I32, reinterpret_cast<const uint8_t*>(i32), y, 2);
    EXPECT_EQ(y[0], -7.0f);
    EXPECT_EQ(y[1], 9.0f);
}

TEST(Dequant, UnalignedSource) {
    std::vector<uint8_t> buf(1 + 8);
    const float v[2] = {1.25f, -8.0f};
    std::memcpy(buf.data() + 1, v, 8);
    float y[2];
    dequantize_row(DType::F32, buf.data() + 1, y, 2);
    EXPECT_EQ(y[0], 1.25f);
    EXPECT_EQ(y[1], -8.0f);
}

TEST(Dequant, TensorToF32AppliesScale) {
    const uint8_t f8[3] = {0x38, 0x40, 0xb8};  // 1, 2, -1
    TensorView t;
    t.dtype = DType::F8_E4M3;
    t.shape = {3};
    t.data = f8;
    t.nbytes = 3;
    t.scale = 0.5f;
    EXPECT_EQ(tensor_to_f32(t), (std::vector<float>{0.5f, 1.0f, -0.5f}));
}

TEST(Quantize, Q8_0MatchesReference) {
    // x = i - 16: amax 16, d = 16/127 stored as fp16, q = round(x * 127 / 16).
    std::vector<float> x(32);
    for (int i = 0; i < 32; ++i) x[i] = static_cast<float>(i - 16);
    std::vector<uint8_t> b(34);
    quantize_row_q8_0(x.data(), b.data(), 32);
    uint16_t d;
    std::memcpy(&d, b.data(), 2);
    EXPECT_EQ(d, f32_to_f16(16.0f / 127.0f));
    EXPECT_EQ(static_cast<int8_t>(b[2]), -127);  // x = -16
    EXPECT_EQ(static_cast<int8_t>(b[2 + 16]), 0);
    EXPECT_EQ(static_cast<int8_t>(b[2 + 17]), 8);    // 127/16 = 7.94 -> 8
    EXPECT_EQ(static_cast<int8_t>(b[2 + 31]), 119);  // 15 * 127/16 = 119.06
    const auto y = deq(DType::Q8_0, b, 32);
    for (int i = 0; i < 32; ++i) EXPECT_NEAR(y[i], x[i], 16.0f / 127.0f / 2 + 1e-3f);
}

TEST(Quantize, Q4_0MatchesReference) {
    // Values k/2 for k = -8..7 (twice): the largest magnitude is -4, so d = -4 / -8 = 0.5 and
    // every value is representable exactly: q = x / d + 8.
    std::vector<float> x(32);
    for (int i = 0; i < 32; ++i) x[i] = static_cast<float>(i % 16 - 8) * 0.5f;
    std::vector<uint8_t> b(18);
    quantize_row_q4_0(x.data(), b.data(), 32);
    EXPECT_EQ(b[0], kF16Half[0]);
    EXPECT_EQ(b[1], kF16Half[1]);
    EXPECT_EQ(b[2], 0x00);       // x[0] = -4 -> 0, x[16] = -4 -> 0
    EXPECT_EQ(b[2 + 15], 0xff);  // x[15] = 3.5 -> 15, x[31] = 3.5 -> 15
    EXPECT_EQ(deq(DType::Q4_0, b, 32), x);
    // A positive extreme: max = 8 gives d = -1, and the value 8 clamps to nibble 0 ((8 / -1) + 8.5 = 0.5).
    std::vector<float> z(32, 0.0f);
    z[3] = 8.0f;
    z[20] = -7.0f;
    quantize_row_q4_0(z.data(), b.data(), 32);
    const auto y = deq(DType::Q4_0, b, 32);
    EXPECT_EQ(y[3], 8.0f);
    EXPECT_EQ(y[20], -7.0f);
    EXPECT_EQ(y[0], 0.0f);
}

TEST(Quantize, ZeroBlock) {
    std::vector<float> x(64, 0.0f);
    std::vector<uint8_t> b(68);
    quantize_row_q8_0(x.data(), b.data(), 64);
    EXPECT_EQ(deq(DType::Q8_0, b, 64), x);
    std::vector<uint8_t> c(36);
    quantize_row_q4_0(x.data(), c.data(), 64);
    EXPECT_EQ(deq(DType::Q4_0, c, 64), x);
}

}  // namespace
}  // namespace hy
