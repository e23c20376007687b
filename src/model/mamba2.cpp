// Mamba2 mixer ('M' layers, spec/model.md §2.2–2.4).
#include <algorithm>
#include <cstdlib>
#include <vector>

#include "core/error.h"
#include "kernels/activations.h"
#include "kernels/conv1d.h"
#include "kernels/isa.h"
#include "kernels/matmul.h"
#include "kernels/norm.h"
#include "kernels/ssm_scan.h"
#include "model/layer_ops.h"
#include "model/mamba2_step.h"

namespace hy {

namespace {

constexpr int64_t kCpuChunk = 32;

// Scan of one sequence's rows: parallel over heads (serial) or groups (chunked SSD).
void scan_segment(const LayerRun& r, const kernels::SsmInputs& in, bool chunked) {
    const kernels::KernelTable& k = kernels::kernels();
    if (!chunked) {
        const int64_t work = in.T * in.H * in.P * in.N;  // pool wake-up only pays off above ~64 K
        r.pool.parallel_for(in.H, work < (int64_t{1} << 16) ? in.H : 1, [&](int64_t b, int64_t e, int) {
            for (int64_t h = b; h < e; ++h) k.ssm_serial_head(kernels::SsmHeadArgs{&in, h});
        });
        return;
    }
    // The chunk length does not change results (spec §2.4). On CPU the diagonal block costs L/2·P
    // multiply-adds per token, so chunks shorter than the GPU-oriented chunk_size are faster.
    const char* env = std::getenv("HYSERVE_SSM_CHUNK");
    const int64_t chunk = env ? std::max<int64_t>(1, std::atoll(env))
                              : std::min<int64_t>(kCpuChunk, std::max<int64_t>(1, r.cfg.chunk_size));
    const int64_t hpg = in.H / in.G;
    // Tasks of heads within a group (each recomputes the group's C·B, a small share of the work):
    // enough tasks for every thread, in equal parts of the group's heads.
    int64_t parts = 1;
    while (in.G * parts < 2 * r.pool.size() && parts < hpg) ++parts;
    while (hpg % parts != 0) --parts;
    r.pool.parallel_for(in.G * parts, 1, [&](int64_t b, int64_t e, int) {
        thread_local std::vector<float> scratch;
        float* buf = grow(scratch, kernels::ssm_chunked_scratch_floats(in, chunk));
        for (int64_t i = b; i < e; ++i) {
            const int64_t g = i / parts, part = i % parts, per = hpg / parts;
            const int64_t h0 = g * hpg + part * per;
            k.ssm_chunked_group(kernels::SsmGroupArgs{&in, g, h0, h0 + per, chunk, buf});
        }
    });
}

// A segment takes the fused decode step (model/mamba2_step.h) when it feeds one token and has no
// capture point: in a pure decode step all of them, in a step that also carries prompt chunks the
// decoding sequences (they used to fall back to the per-sequence path, one sequence at a time).
bool fused_ok(const LayerRun& r, const Segment& sg) {
    if (!r.opt.fused_mamba_step || r.opt.ssm_mode == SsmMode::CHUNKED || sg.n != 1) return false;
    const std::vector<int64_t>* points = sg.state->mamba_capture_points();
    return points == nullptr || points->empty();
}

// The fused step for every fused_ok segment: all their groups in one parallel region; writes their
// rows of v (the gated norm's output, out_proj's input).
void decode_steps(const LayerRun& r, const MambaWeights& w, int64_t layer, const float* zxbcdt,
                  const float* dt, float* xbc, float* y, float* v) {
    const ModelConfig& c = r.cfg;
    const int64_t Di = c.mamba_inner(), Cd = c.conv_channels(), H = c.mamba_num_heads;
    const int64_t R = c.in_proj_rows(), G = c.n_groups;
    thread_local std::vector<MambaStepArgs> per_thread;  // one per sequence; grows once
    thread_local std::vector<MambaStateSink*> sinks_per_thread;
    std::vector<MambaStepArgs>& args = per_thread;  // the caller's (workers have their own)
    std::vector<MambaStateSink*>& sinks = sinks_per_thread;
    args.clear();
    sinks.clear();
    for (const Segment& sg : r.segs) {
        if (!fused_ok(r, sg)) continue;
        const int64_t row = sg.row0;
        args.push_back(MambaStepArgs{zxbcdt + row * R + Di, zxbcdt + row * R, dt + row * H,
                                     sg.state->conv_state(layer), sg.state->ssm_state(layer), xbc + row * Cd,
                                     y + row * Di, v + row * Di, w.conv_weight.data(), w.conv_bias.data(),
                                     w.A.data(), w.D.data(), w.norm.data(), H, c.mamba_head_dim,
                                     c.ssm_state_size, G, c.conv_kernel, c.norm_eps});
        sinks.push_back(sg.state->mamba_sink());
    }
    if (args.empty()) return;
    r.pool.parallel_for(static_cast<int64_t>(args.size()) * G, 1, [&](int64_t b, int64_t e, int) {
        for (int64_t i = b; i < e; ++i) {
            if (i + 1 < e) prefetch_step_group(args[static_cast<size_t>((i + 1) / G)], (i + 1) % G);
            mamba_step_group(args[static_cast<size_t>(i / G)], i % G);
        }
    });
    for (size_t i = 0; i < args.size(); ++i)
        if (sinks[i] != nullptr) sinks[i]->on_token(layer, 0, args[i].conv_state, args[i].ssm_state);
}

// Conv + SiLU of n rows from `row`, split by channels across the pool when there is enough of it (a
// prompt chunk; each channel's arithmetic is the same in any split).
void conv_rows(const LayerRun& r, const MambaWeights& w, const float* zxbcdt, int64_t row, int64_t n,
               float* conv, float* xbc) {
    const ModelConfig& c = r.cfg;
    const int64_t Di = c.mamba_inner(), Cd = c.conv_channels(), K = c.conv_kernel, R = c.in_proj_rows();
    constexpr int64_t kBlock = 64;  // channels per task
    const int64_t blocks = (Cd + kBlock - 1) / kBlock;
    r.pool.parallel_for(blocks, n * Cd < (int64_t{1} << 14) ? blocks : 1, [&](int64_t b, int64_t e, int) {
        const int64_t c0 = b * kBlock, c1 = std::min(Cd, e * kBlock);
        kernels::conv1d_silu(zxbcdt + row * R + Di + c0, R, n, c1 - c0, K, w.conv_weight.data() + c0 * K,
                             w.conv_bias.data() + c0, conv + c0, xbc + row * Cd + c0, Cd, Cd);
    });
}

}  // namespace

void mamba_layer(const LayerRun& r, const MambaWeights& w, int64_t layer) {
    const ModelConfig& c = r.cfg;
    const int64_t D = c.hidden_size, Di = c.mamba_inner(), Cd = c.conv_channels(), H = c.mamba_num_heads;
    const int64_t GN = c.n_groups * c.ssm_state_size, K = c.conv_kernel, R = c.in_proj_rows();
    float* zxbcdt = grow(r.s.proj, r.T * R);  // split: z [0, Di) | xBC [Di, Di+Cd) | dt [Di+Cd, R)
    float* xbc = grow(r.s.a, r.T * Cd);       // after conv + SiLU: x | B | C
    float* dt = grow(r.s.b, r.T * H);
    float* y = grow(r.s.c, r.T * Di);
    kernels::matmul(w.in_proj, r.u, D, r.T, zxbcdt, R, r.pool);

    // softplus is an exp and a log1p: weigh each as ~16 cheap operations.
    for_rows(r.pool, r.T, 16 * H, [&](int64_t b, int64_t e, int) {
        for (int64_t t = b; t < e; ++t)
            for (int64_t h = 0; h < H; ++h) {
                float v = kernels::softplus(zxbcdt[t * R + Di + Cd + h] + w.dt_bias[h]);
                v = v < c.time_step_limit_min ? c.time_step_limit_min : v;
                dt[t * H + h] = v > c.time_step_limit_max ? c.time_step_limit_max : v;
            }
    });

    float* v = grow(r.s.d, r.T * Di);
    decode_steps(r, w, layer, zxbcdt, dt, xbc, y, v);

    for (const Segment& sg : r.segs) {
        if (fused_ok(r, sg)) continue;
        float* conv = sg.state->conv_state(layer);
        kernels::SsmInputs in;
        in.H = H;
        in.P = c.mamba_head_dim;
        in.N = c.ssm_state_size;
        in.G = c.n_groups;
        in.ldx = Cd;
        in.ldbc = Cd;
        in.lddt = H;
        in.ldy = Di;
        in.A = w.A.data();
        in.D = w.D.data();
        in.state = sg.state->ssm_state(layer);
        auto bind = [&](int64_t row, int64_t n) {
            in.T = n;
            in.x = xbc + row * Cd;
            in.B = in.x + Di;
            in.C = in.x + Di + GN;
            in.dt = dt + row * H;
            in.y = y + row * Di;
        };
        MambaStateSink* sink = sg.state->mamba_sink();
        if (sink != nullptr) {  // token by token, reporting every intermediate state (spec §5.2)
            for (int64_t t = 0; t < sg.n; ++t) {
                const int64_t row = sg.row0 + t;
                kernels::conv1d_silu(zxbcdt + row * R + Di, R, 1, Cd, K, w.conv_weight.data(),
                                     w.conv_bias.data(), conv, xbc + row * Cd, Cd);
                bind(row, 1);
                scan_segment(r, in, false);
                sink->on_token(layer, t, conv, in.state);
            }
            continue;
        }
        // Pieces end at the capture points (prefix-cache snapshots inside a prefill chunk), then at sg.n.
        const std::vector<int64_t>* points = sg.state->mamba_capture_points();
        const size_t n_points = points ? points->size() : 0;
        for (size_t p = 0, t0 = 0; t0 < static_cast<size_t>(sg.n); ++p) {
            const int64_t end = p < n_points ? (*points)[p] - sg.pos0 : sg.n;
            HY_ASSERT(end > static_cast<int64_t>(t0) && end <= sg.n);
            const int64_t row = sg.row0 + static_cast<int64_t>(t0), n = end - static_cast<int64_t>(t0);
            conv_rows(r, w, zxbcdt, row, n, conv, xbc);
            bind(row, n);
            const bool chunked =
                r.opt.ssm_mode == SsmMode::CHUNKED || (r.opt.ssm_mode == SsmMode::AUTO && n > 1);
            scan_segment(r, in, chunked);
            if (p < n_points) sg.state->on_mamba_capture(layer, p, conv, in.state);
            t0 = static_cast<size_t>(end);
        }
    }

    // Gated RMSNorm (gate before norm, per group, spec §2.2.7) of the rows the fused step did not
    // take, rows in parallel for a prompt chunk; then out_proj of every row.
    for (const Segment& sg : r.segs) {
        if (fused_ok(r, sg)) continue;
        r.pool.parallel_for(sg.n, sg.n * Di < (int64_t{1} << 14) ? sg.n : 1, [&](int64_t b, int64_t e, int) {
            for (int64_t t = sg.row0 + b; t < sg.row0 + e; ++t)
                kernels::gated_rmsnorm(y + t * Di, zxbcdt + t * R, w.norm.data(), Di, c.mamba_group_size(),
                                       c.norm_eps, v + t * Di);
        });
    }
    kernels::matmul(w.out_proj, v, Di, r.T, r.out, D, r.pool);
}

}  // namespace hy
