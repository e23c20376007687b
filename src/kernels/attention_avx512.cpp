// AVX-512 copy of attention_rows: 16 query vectors per lane group.
#define HY_ATTN_LANES 16
#include "kernels/attention_impl.h"

namespace hy::kernels {
void attention_rows_avx512(const AttnRows& a, int64_t g, const KvView& kv) {
    attention_rows_impl(a, g, kv);
}
}  // namespace hy::kernels
