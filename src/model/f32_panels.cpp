#include "model/f32_panels.h"

#include <unistd.h>

#include <vector>

#include "kernels/f32_panels.h"

namespace hy {

namespace {

// The copy is skipped (the row-major path serves, just slower) when it would take more than half of
// the memory still available: an F32 checkpoint of a large model must not fail to load for it.
bool panels_fit(uint64_t bytes) {
    const long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages <= 0 || page <= 0 || bytes <= static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) / 2;
}

}  // namespace

uint64_t pack_f32_matrices(ModelWeights& w) {
    const std::vector<TensorView*> all = multiplied_matrices(w);
    std::vector<TensorView*> f32;
    uint64_t floats = 0;
    for (TensorView* v : all)
        if (!v->empty() && v->dtype == DType::F32 && v->shape.size() == 2) {
            f32.push_back(v);
            floats += static_cast<uint64_t>(kernels::f32_panel_floats(v->rows(), v->cols()));
        }
    if (f32.empty() || !panels_fit(floats * sizeof(float))) return 0;
    auto region = std::make_shared<HugePageRegion>(floats * sizeof(float));
    float* next = reinterpret_cast<float*>(region->data());
    const float* end = next + floats;
    for (TensorView* v : f32) {
        kernels::pack_f32_panels(reinterpret_cast<const float*>(v->data), v->rows(), v->cols(), next);
        v->panels = next;
        v->panels_end = end;
        next += kernels::f32_panel_floats(v->rows(), v->cols());  // whole 64-byte panel rows: stays aligned
    }
    region->protect_read_only();
    w.f32_panels = std::move(region);
    return floats * sizeof(float);
}

}  // namespace hy
