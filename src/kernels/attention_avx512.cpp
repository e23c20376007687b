// AVX-512 copy of attention_rows: 16 query vectors per lane group; and its vdpbf16ps variant for a
// bfloat16 K/V cache (attention_bf16dot_impl.h).
#define HY_ATTN_LANES 16
#include "kernels/attention_bf16dot_impl.h"
#include "kernels/attention_impl.h"
#include "kernels/kv_convert.h"

namespace hy::kernels {
void attention_rows_avx512(const AttnRows& a, int64_t g, const KvView& kv) {
    attention_rows_impl(a, g, kv);
}
void attention_rows_avx512_bf16dot(const AttnRows& a, int64_t g, const KvView& kv) {
    attention_rows_bf16dot_impl(a, g, kv);
}
void widen_fp8_rows_bf16_avx512(const uint8_t* first, int64_t row_bytes, int64_t n, int64_t Hkv, int64_t dh,
                                uint16_t* out) {
    widen_fp8_rows_bf16_impl(first, row_bytes, n, Hkv, dh, out);
}
}  // namespace hy::kernels
