// e^x and 2^x for GCC/Clang vector types of any width, shared by the per-ISA kernel bodies
// (kernel_impl.h, attention_impl.h), which compile them once per instruction set.
// Include only from those files. Cephes expf: x = n·ln2 + r with |r| <= ln2/2, a degree-6
// polynomial for e^r, 2^n by exponent bits; about 1 ulp. Valid for x in [-87, 88] (2^n stays a
// normal float): callers clamp.
#pragma once

#include <cstring>

#if defined(__clang__)
#pragma clang diagnostic ignored "-Wpsabi"
#elif defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

// Internal linkage, like the kernel bodies that include it: the vector types are the same C++ types
// in every per-ISA file, so external templates would be merged at link time across instruction sets.
namespace hy::kernels {
namespace {
namespace vec {

// Cephes expf's constants: log2(e) (attention's scores carry it too), ln 2 split in a part exact in
// float and the rest, and the polynomial for e^r (r in [-ln2/2, ln2/2]) from its
// highest coefficient down; e^r = ((p·r)·r + r) + 1.
inline constexpr float kLog2e = 1.44269504088896341f, kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;
inline constexpr float kExpPoly[6] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                                      4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};

// 2^r for r in [-1/2, 1/2]: a degree-6 polynomial from its highest coefficient down, near-minimax in
// relative error (3.9e-9), at most 0.92 ulp with float Horner steps (fitted for attention's softmax,
// whose scores carry log2 e so that e^s is 2^(s·log2 e) without a range-reduction multiply).
inline constexpr float kExp2Poly[7] = {1.5469732170e-04f,
                                       1.3410000829e-03f,
                                       9.6180308610e-03f,
                                       5.5502973497e-02f,
                                       2.4022650719e-01f,
                                       6.9314724207e-01f,
                                       1.0f};
// Adding and subtracting 1.5·2^23 rounds a float of magnitude below 2^22 to an integer, ties to even
// (as AVX-512's vrndscaleps does).
inline constexpr float kRoundShifter = 12582912.0f;

// Always inlined: an out-of-line function returning a 64-byte vector in a file compiled without
// AVX-512 is a -Wpsabi error that the pragma above does not silence (the -O1 sanitizer build).
template <class VF, class VI>
__attribute__((always_inline)) inline VF exp_in_range(VF x) {
    const VF t = x * kLog2e + 0.5f;
    const VF n = __builtin_convertvector(__builtin_convertvector(t, VI), VF);
    // convertvector truncates toward zero: step back where t was negative, so fl = floor(t).
    const VF fl = n - (n > t ? VF{} + 1.0f : VF{});
    VF r = x - fl * kLn2Hi;
    r = r - fl * kLn2Lo;
    VF p = VF{} + kExpPoly[0];
#pragma GCC unroll 5
    for (int i = 1; i < 6; ++i) p = p * r + kExpPoly[i];
    p = p * r * r + r + 1.0f;
    const VI bits = (__builtin_convertvector(fl, VI) + 127) << 23;
    VF pow2;
    std::memcpy(&pow2, &bits, sizeof pow2);
    return p * pow2;
}

// 2^x for x <= 0 (attention's scores in log2 units minus their running max): exactly 0 below -126, so
// 2^n stays a normal float (masked keys are -inf). n = round(x), ties to even; 2^n by exponent bits.
template <class VF, class VI>
__attribute__((always_inline)) inline VF exp2_nonpositive(VF x) {
    const VF lo = VF{} - 126.0f;
    const VF xc = x < lo ? lo : x;
    const VF n = (xc + kRoundShifter) - kRoundShifter;
    const VF r = xc - n;
    VF p = VF{} + kExp2Poly[0];
#pragma GCC unroll 6
    for (int i = 1; i < 7; ++i) p = p * r + kExp2Poly[i];
    const VI bits = (__builtin_convertvector(n, VI) + 127) << 23;
    VF pow2;
    std::memcpy(&pow2, &bits, sizeof pow2);
    return x < lo ? VF{} : p * pow2;
}

// silu(x) = x / (1 + e^-x) (spec/model.md §2.2.2, §2.2.7). Past the range of e^x: x > 87 gives x
// (e^-x below 1e-38 vanishes next to 1), and x < -88 gives -0, as the scalar formula (x / inf) does.
template <class VF, class VI>
__attribute__((always_inline)) inline VF silu(VF x) {
    const VF lo = VF{} - 87.0f, hi = VF{} + 88.0f, m = -x;
    const VF y = x / (1.0f + exp_in_range<VF, VI>(m < lo ? lo : (m > hi ? hi : m)));
    return m > hi ? x * 0.0f : y;
}

}  // namespace vec
}  // namespace
}  // namespace hy::kernels
