#include "model/bf16_panels.h"

#include <algorithm>
#include <vector>

#include "kernels/bf16_matmul.h"

namespace hy {

namespace {

bool packable(const TensorView& v) {
    return !v.empty() && v.shape.size() == 2 && v.rows() >= 16 && v.cols() % 2 == 0 && kernels::bf16_route(v);
}

}  // namespace

uint64_t pack_bf16_matrices(ModelWeights& w) {
    std::vector<TensorView*> todo;
    for (TensorView* v : multiplied_matrices(w))
        if (packable(*v)) todo.push_back(v);
    // Each byte is rewritten once: a view whose bytes overlap another's (a shared tensor, a head tied to
    // the embedding table) keeps the stored layout, and so does the other.
    std::sort(todo.begin(), todo.end(),
              [](const TensorView* a, const TensorView* b) { return a->data < b->data; });
    std::vector<char> keep(todo.size(), 1);
    size_t reach = 0;  // the view, among those before i, whose bytes end last
    for (size_t i = 1; i < todo.size(); ++i) {
        const TensorView* r = todo[reach];
        if (r->data + r->nbytes > todo[i]->data) keep[reach] = keep[i] = 0;
        if (todo[i]->data + todo[i]->nbytes > r->data + r->nbytes) reach = i;
    }
    const uint8_t* emb_lo = w.embeddings.data;
    const uint8_t* emb_hi = emb_lo ? emb_lo + w.embeddings.nbytes : nullptr;

    uint64_t bytes = 0;
    for (const auto& file : w.files) {
        const uint8_t *lo = file->data(), *hi = lo + file->size();
        std::vector<TensorView*> mine;
        for (size_t i = 0; i < todo.size(); ++i) {
            const TensorView* v = todo[i];
            const bool in_file = v->data >= lo && v->data + v->nbytes <= hi;
            const bool on_embeddings = emb_lo && v->data < emb_hi && v->data + v->nbytes > emb_lo;
            if (keep[i] && in_file && !on_embeddings) mine.push_back(todo[i]);
        }
        if (mine.empty()) continue;
        const bool done = file->rewrite_in_place([&](uint8_t* bytes) {
            for (TensorView* v : mine)
                kernels::pack_bf16_panels_in_place(reinterpret_cast<uint16_t*>(bytes + (v->data - lo)),
                                                   v->rows(), v->cols());
        });
        if (!done) continue;
        for (TensorView* v : mine) {
            v->bf16_panels = true;
            bytes += static_cast<uint64_t>(v->rows() / 16 * 16 * v->cols() * 2);
        }
    }
    return bytes;
}

}  // namespace hy
