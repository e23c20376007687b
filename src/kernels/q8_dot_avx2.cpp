// AVX2 copy of the Q8_0 x Q8 kernels (q8_dot.h). vpmaddubsw multiplies unsigned by signed bytes and
// saturates its pair sums to int16, so the weights go in as |w| and their signs move onto the
// activations (vpsignb): |w|·sign(w)·x = w·x, and a pair sum is at most 2·128·127 = 32512 < 32767
// (activations are in [-127, 127]; a stored weight of -128 becomes the unsigned 128).
#include "kernels/q8_dot_impl.h"
#include "kernels/q8_tables.h"

namespace hy::kernels {

namespace {
inline __m256i dot_avx2(__m256i w, __m256i x, __m256i /*corr: not needed with signed weights*/) {
    const __m256i prod16 = _mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(x, w));
    return _mm256_madd_epi16(prod16, _mm256_set1_epi16(1));
}

void matmul_avx2(const uint8_t* w, int64_t row_bytes, int64_t rows, const Q8Acts& a, float* y, int64_t ldy) {
    matmul_by_rows(dot_avx2, w, row_bytes, rows, a, y, ldy);
}
}  // namespace

const Q8Kernels& q8_table_avx2() {
    static constexpr Q8Kernels t{Isa::AVX2, quantize_avx2, matmul_avx2};
    return t;
}

}  // namespace hy::kernels
