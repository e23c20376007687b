// The three compiled copies of kernel_impl.h (internal to the kernels module).
#pragma once

#include "kernels/isa.h"

namespace hy::kernels {

const KernelTable& table_scalar();
const KernelTable& table_avx2();
const KernelTable& table_avx512();

}  // namespace hy::kernels
