#include "kernels/f32_panels.h"

#include <algorithm>

namespace hy::kernels {

void pack_f32_panels(const float* w, int64_t rows, int64_t cols, float* out) {
    for (int64_t p = 0; p < f32_panel_count(rows); ++p) {
        float* panel = out + p * 16 * cols;
        for (int64_t i = 0; i < 16; ++i) {
            const int64_t r = 16 * p + i;
            for (int64_t k = 0; k < cols; ++k) panel[k * 16 + i] = r < rows ? w[r * cols + k] : 0.0f;
        }
    }
}

}  // namespace hy::kernels
