// AVX2 + FMA + F16C copy of the kernels.
#define HY_KERNEL_F16C 1
#include "kernels/kernel_impl.h"
#include "kernels/kernel_tables.h"

namespace hy::kernels {
const KernelTable& table_avx2() {
    static constexpr KernelTable t = make_table(Isa::AVX2);
    return t;
}
}  // namespace hy::kernels
