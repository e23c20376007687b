// Internal to the forward pass: the per-layer mixers (mamba2.cpp, attention.cpp, mlp.cpp, moe.cpp)
// and the scratch they share. Not part of the model module's public interface.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "core/thread_pool.h"
#include "model/forward.h"
#include "model/model_weights.h"
#include "model/sequence_state.h"

namespace hy {

// Grows `v` to at least n elements and returns its data. Buffers only ever grow, so once the
// largest batch has been seen no call allocates.
template <class T>
T* grow(std::vector<T>& v, int64_t n) {
    if (static_cast<int64_t>(v.size()) < n) v.resize(static_cast<size_t>(n));
    return v.data();
}

// Rows [0, n) through fn(begin, end, thread), shared among the pool's threads when they hold enough
// work (`width` cheap operations per row, at least 2^14 in all: a prompt chunk), else on this thread
// (a decode step, where a parallel region costs more than the work). Each row is computed the same
// way wherever it runs.
template <class F>
void for_rows(ThreadPool& pool, int64_t n, int64_t width, F&& fn) {
    pool.parallel_for(n, n * width < (int64_t{1} << 14) ? n : 1, std::forward<F>(fn));
}

struct Forward::Scratch {
    std::vector<float> h, u, out;            // residual stream, normed input, mixer output [T, D]
    std::vector<float> proj, a, b, c, d, e;  // per-mixer intermediates
    std::vector<int32_t> idx, expert_rows, expert_count, slot_of;  // MoE routing
    std::vector<float> wts;
    std::vector<float> gathered;  // rows needing logits [R, D]
};

// The rows of one sequence inside a forward call.
struct Segment {
    SequenceState* state;
    int64_t row0;  // first row in the batch matrices
    int64_t n;     // new tokens
    int64_t pos0;  // absolute position of the first new token
};

struct LayerRun {
    const ModelConfig& cfg;
    ThreadPool& pool;
    const ForwardOptions& opt;
    std::span<const Segment> segs;
    int64_t T;       // total rows
    const float* u;  // [T, D] normed layer input
    float* out;      // [T, D] mixer output
    Forward::Scratch& s;
};

void mamba_layer(const LayerRun& r, const MambaWeights& w, int64_t layer);
void attention_layer(const LayerRun& r, const AttentionWeights& w, int64_t layer);
void mlp_layer(const LayerRun& r, const MlpWeights& w);
void moe_layer(const LayerRun& r, const MoeWeights& w);

// Dispatches on the layer kind; `layer` indexes the SequenceState of the block being run.
void run_mixer(const LayerRun& r, const LayerWeights& w, int64_t layer);

// h[T, D] += out of every layer of `layers` (pre-norm residual, spec §2.1).
void run_layers(const ModelConfig& cfg, ThreadPool& pool, const ForwardOptions& opt,
                const std::vector<LayerWeights>& layers, std::span<const Segment> segs, int64_t T,
                Forward::Scratch& s);

}  // namespace hy
