// F32 weight matrices repacked for the panel GEMM (KernelTable::gemm_f32_panels): rows in panels
// of 16, each panel stored input-major ([n][16]: the 16 rows' weights for input k side by side),
// the last panel padded with zero rows. The loader makes this copy of every F32 matrix the model
// multiplies (model/f32_panels.h); an outer-product tile on it runs the F32 GEMM at ~250 GFLOPS per
// core instead of ~150 for the row-major dot tile (docs/performance.md, session 7).
#pragma once

#include <cstdint>

namespace hy::kernels {

inline int64_t f32_panel_count(int64_t rows) {
    return (rows + 15) / 16;
}
// Floats of the packed copy of a rows x cols matrix.
inline int64_t f32_panel_floats(int64_t rows, int64_t cols) {
    return f32_panel_count(rows) * 16 * cols;
}
// out[(p*cols + k)*16 + i] = w[(16p + i)*cols + k], 0 for 16p + i >= rows.
void pack_f32_panels(const float* w, int64_t rows, int64_t cols, float* out);

}  // namespace hy::kernels
