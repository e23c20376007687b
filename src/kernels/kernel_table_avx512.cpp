// AVX-512 (F/BW/VL/DQ) copy of the kernels.
#define HY_KERNEL_F16C 1
#define HY_KERNEL_TILE4X4 1  // 32 vector registers (kernel_impl.h dot4xm)
#include "kernels/kernel_impl.h"
#include "kernels/kernel_tables.h"

namespace hy::kernels {
const KernelTable& table_avx512() {
    static constexpr KernelTable t = make_table(Isa::AVX512);
    return t;
}
}  // namespace hy::kernels
