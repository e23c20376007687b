// Baseline x86-64 (SSE2) copy of the kernels.
#define HY_KERNEL_F16C 0
#include "kernels/kernel_impl.h"
#include "kernels/kernel_tables.h"

namespace hy::kernels {
const KernelTable& table_scalar() {
    static constexpr KernelTable t = make_table(Isa::SCALAR);
    return t;
}
}  // namespace hy::kernels
