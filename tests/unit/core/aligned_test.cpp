// Cache-line-aligned storage: every allocation starts a 64-byte line, whatever its size.
#include "core/aligned.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace hy {
namespace {

bool starts_line(const void* p) {
    return reinterpret_cast<uintptr_t>(p) % kCacheLine == 0;
}

TEST(Aligned, VectorAndArrayStartACacheLine) {
    for (size_t n : {1u, 3u, 17u, 1000u, 1u << 20}) {
        AlignedVector<float> v(n, 1.0f);
        EXPECT_TRUE(starts_line(v.data())) << n;
        EXPECT_EQ(v[n - 1], 1.0f);
        v.resize(2 * n + 5);  // a reallocation keeps the alignment
        EXPECT_TRUE(starts_line(v.data())) << n;
        AlignedArray<float> a = make_aligned_array<float>(n);
        EXPECT_TRUE(starts_line(a.get())) << n;
        a[n - 1] = 2.0f;
        EXPECT_EQ(a[n - 1], 2.0f);
    }
}

}  // namespace
}  // namespace hy
