// AVX2 copy of attention_rows: 8 query vectors per lane group.
#define HY_ATTN_LANES 8
#include "kernels/attention_impl.h"

namespace hy::kernels {
void attention_rows_avx2(const AttnRows& a, int64_t g, const KvView& kv) {
    attention_rows_impl(a, g, kv);
}
}  // namespace hy::kernels
