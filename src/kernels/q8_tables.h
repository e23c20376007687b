// The compiled copies of the Q8_0 x Q8 kernels (internal to the kernels module): q8_dot.cpp holds
// the scalar reference, q8_dot_avx2.cpp and q8_dot_avx512.cpp the vector ones.
#pragma once

#include "kernels/q8_dot.h"

namespace hy::kernels {

const Q8Kernels& q8_table_scalar();
const Q8Kernels& q8_table_avx2();
const Q8Kernels& q8_table_avx512();

}  // namespace hy::kernels
