#include "kernels/f32_panels.h"

#include <algorithm>

namespace hy::kernels {

void pack_f32_panels(const float* w, int64_t rows, int64_t cols, float* out) {
    // Output order (contiguous writes); the reads walk 16 rows side by side.
    for (int64_t p = 0; p < f32_panel_count(rows); ++p) {
        const int64_t live = std::min<int64_t>(16, rows - 16 * p);
        const float* src = w + 16 * p * cols;
        float* panel = out + p * 16 * cols;
        for (int64_t k = 0; k < cols; ++k) {
            float* dst = panel + k * 16;
            for (int64_t i = 0; i < live; ++i) dst[i] = src[i * cols + k];
            for (int64_t i = live; i < 16; ++i) dst[i] = 0.0f;
        }
    }
}

}  // namespace hy::kernels
