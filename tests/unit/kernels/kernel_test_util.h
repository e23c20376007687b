// Helpers shared by the kernel tests: seeded random data and the ISA paths this CPU supports.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/isa.h"

namespace hy::test {

inline std::vector<float> random_floats(int64_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> d(lo, hi);
    std::vector<float> v(static_cast<size_t>(n));
    for (auto& x : v) x = d(rng);
    return v;
}

inline std::vector<kernels::Isa> supported_isas() {
    std::vector<kernels::Isa> out;
    for (auto i : {kernels::Isa::SCALAR, kernels::Isa::AVX2, kernels::Isa::AVX512})
        if (kernels::isa_supported(i)) out.push_back(i);
    return out;
}

// Forces one ISA for the lifetime of the object.
struct IsaScope {
    explicit IsaScope(kernels::Isa isa) { kernels::set_isa_override(isa); }
    ~IsaScope() { kernels::clear_isa_override(); }
};

inline double rel_l2(const float* a, const float* b, int64_t n) {
    double num = 0, den = 0;
    for (int64_t i = 0; i < n; ++i) {
        num += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
        den += static_cast<double>(b[i]) * b[i];
    }
    return den == 0 ? std::sqrt(num) : std::sqrt(num / den);
}

}  // namespace hy::test
