// The Mamba2 selective-state-space recurrence (spec/model.md §2.2.6) and its chunked SSD form
// (§2.4). Both produce the same y and final state up to fp32 rounding; the serial form is the
// reference and the decode path, the chunked form is used for prefill.
#pragma once

#include <cstdint>

namespace hy::kernels {

// How far ahead of the row it updates the serial step (a decode token) prefetches the state: ~6 KiB,
// about one DRAM latency of its work. The state was evicted by the weights streamed since the
// sequence's last token, and the hardware prefetchers restart at every 4 KiB page. 8 rows of the
// small model's N = 32 (1 KiB) left a 16-sequence step's fused Mamba steps at 610-619 us; 6 KiB (48
// rows) 435-441 us, 24-32 rows 447-512 us, 128 rows 500-524 us (session 12). N = 128 gets 12 rows.
// The first kSsmPrefetchBytes of a state are not covered: whoever knows the next task fetches them.
inline constexpr int64_t kSsmPrefetchBytes = 6144;

// Per-token inputs of T tokens, rows with strides. dt is already softplus'ed and clamped.
struct SsmInputs {
    int64_t T = 0;
    int64_t H = 0, P = 0, N = 0, G = 0;  // heads, head dim, state size, groups
    const float* x = nullptr;            // x[t*ldx + h*P + p]
    int64_t ldx = 0;
    const float* B = nullptr;  // B[t*ldbc + g*N + n]
    const float* C = nullptr;  // C[t*ldbc + g*N + n]
    int64_t ldbc = 0;
    const float* dt = nullptr;  // dt[t*lddt + h]
    int64_t lddt = 0;
    const float* A = nullptr;  // [H]
    const float* D = nullptr;  // [H]
    float* state = nullptr;    // [H, P, N] in/out
    float* y = nullptr;        // y[t*ldy + h*P + p]
    int64_t ldy = 0;
};

struct SsmHeadArgs {
    const SsmInputs* in;
    int64_t h;
};

struct SsmGroupArgs {
    const SsmInputs* in;
    int64_t g, h0, h1;  // heads [h0, h1) all read group g
    int64_t chunk;      // chunk length Q
    float* scratch;     // ssm_chunked_scratch_floats(in, chunk) floats
};

int64_t ssm_chunked_scratch_floats(const SsmInputs& in, int64_t chunk);

// Whole-input drivers over heads (single thread; the model parallelises over heads/groups).
void ssm_scan_serial(const SsmInputs& in);
void ssm_scan_chunked(const SsmInputs& in, int64_t chunk, float* scratch);

}  // namespace hy::kernels
