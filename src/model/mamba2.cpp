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

// Decode (every sequence of the call has one new token and no capture point): the fused step of
// model/mamba2_step.h, all sequences' groups in one parallel region, then out_proj. Returns false
// (nothing done) when the call is not a decode step.
bool decode_step(const LayerRun& r, const MambaWeights& w, int64_t layer, const float* zxbcdt,
                 const float* dt, float* xbc, float* y) {
    if (!r.opt.fused_mamba_step || r.opt.ssm_mode == SsmMode::CHUNKED) return false;
    for (const Segment& sg : r.segs) {
        const std::vector<int64_t>* points = sg.state->mamba_capture_points();
        if (sg.n != 1 || (points != nullptr && !points->empty())) return false;
    }
    const ModelConfig& c = r.cfg;
    const int64_t D = c.hidden_size, Di = c.mamba_inner(), Cd = c.conv_channels(), H = c.mamba_num_heads;
    const int64_t R = c.in_proj_rows(), G = c.n_groups;
    float* v = grow(r.s.d, r.T * Di);
    thread_local std::vector<MambaStepArgs> per_thread;  // one per sequence; grows once
    std::vector<MambaStepArgs>& args = per_thread;       // the caller's (workers have their own)
    args.clear();
    for (const Segment& sg : r.segs) {
        const int64_t row = sg.row0;
        args.push_back(MambaStepArgs{zxbcdt + row * R + Di, zxbcdt + row * R, dt + row * H,
                                     sg.state->conv_state(layer), sg.state->ssm_state(layer), xbc + row * Cd,
                                     y + row * Di, v + row * Di, w.conv_weight.data(), w.conv_bias.data(),
                                     w.A.data(), w.D.data(), w.norm.data(), H, c.mamba_head_dim,
                                     c.ssm_state_size, G, c.conv_kernel, c.norm_eps});
    }
    r.pool.parallel_for(static_cast<int64_t>(args.size()) * G, 1, [&](int64_t b, int64_t e, int) {
        for (int64_t i = b; i < e; ++i) mamba_step_group(args[static_cast<size_t>(i / G)], i % G);
    });
    for (size_t i = 0; i < args.size(); ++i)
        if (MambaStateSink* sink = r.segs[i].state->mamba_sink())
            sink->on_token(layer, 0, args[i].conv_state, args[i].ssm_state);
    kernels::matmul(w.out_proj, v, Di, r.T, r.out, D, r.pool);
    return true;
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

    for (int64_t t = 0; t < r.T; ++t)
        for (int64_t h = 0; h < H; ++h) {
            float v = kernels::softplus(zxbcdt[t * R + Di + Cd + h] + w.dt_bias[h]);
            v = v < c.time_step_limit_min ? c.time_step_limit_min : v;
            dt[t * H + h] = v > c.time_step_limit_max ? c.time_step_limit_max : v;
        }

    if (decode_step(r, w, layer, zxbcdt, dt, xbc, y)) return;

    for (const Segment& sg : r.segs) {
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
            kernels::conv1d_silu(zxbcdt + row * R + Di, R, n, Cd, K, w.conv_weight.data(), w.conv_bias.data(),
                                 conv, xbc + row * Cd, Cd);
            bind(row, n);
            const bool chunked =
                r.opt.ssm_mode == SsmMode::CHUNKED || (r.opt.ssm_mode == SsmMode::AUTO && n > 1);
            scan_segment(r, in, chunked);
            if (p < n_points) sg.state->on_mamba_capture(layer, p, conv, in.state);
            t0 = static_cast<size_t>(end);
        }
    }

    // Gated RMSNorm (gate before norm, per group, spec §2.2.7), then out_proj.
    float* v = grow(r.s.d, r.T * Di);
    for (int64_t t = 0; t < r.T; ++t)
        kernels::gated_rmsnorm(y + t * Di, zxbcdt + t * R, w.norm.data(), Di, c.mamba_group_size(),
                               c.norm_eps, v + t * Di);
    kernels::matmul(w.out_proj, v, Di, r.T, r.out, D, r.pool);
}

}  // namespace hy
