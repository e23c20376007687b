// The F32 GEMM on 16-row panels (f32_panels.h), part of kernel_impl.h: included there, inside its
// anonymous namespace, so it is compiled once per ISA with the vf helpers in scope.
//
// An outer-product tile: for each input k, P panel vectors (16 rows each) are loaded once and
// multiplied by M broadcast activations, P·M accumulators wide. Nothing is reduced across lanes at
// the end (the row-major dot4xm tile spends ~30 shuffles per 16 outputs on that), and each weight
// load feeds M multiply-adds. Output (row, token) is lane i of one accumulator summed over k = 0..n-1
// in order, whatever the tile shape: the same bits for any T, any token position in a batch, any row
// split across threads, and on every ISA that fuses the multiply-add (AVX2 and AVX-512).
#pragma once

#if HY_KERNEL_TILE4X4
constexpr int kPanelTileP = 2, kPanelTileM = 8;  // 16 zmm accumulators + 2 panel loads + 1 broadcast
#elif HY_KERNEL_F16C
constexpr int kPanelTileP = 1, kPanelTileM = 6;  // AVX2: 12 ymm accumulators (a panel is 2 ymm)
#else
constexpr int kPanelTileP = 1, kPanelTileM = 2;  // SSE2: 8 xmm accumulators (a panel is 4 xmm)
#endif
static_assert(W == 16, "a panel is one vf of 16 rows");

// The next P panels' lines [k0, k1) (one line per panel per input k), fetched by one tile at a
// rate of one k every `every` steps: the group's tiles share the fetch evenly, so memory streams
// during every tile instead of only the first.
struct PanelPrefetch {
    const float* next = nullptr;  // null: nothing to fetch (the call's last group)
    int64_t k0 = 0, k1 = 0;
    int every = 1;
};

// y[t*ldy + 16p + i] for p < P, t < M; rows at or past `valid` (padding of the last panel) are not
// stored.
template <int P, int M>
__attribute__((noinline)) void panel_tile(const float* wp, int64_t n, const float* x, int64_t ldx, float* y,
                                          int64_t ldy, int64_t valid, PanelPrefetch pf) {
    vf acc[P][M] = {};
    auto step = [&](int64_t k) __attribute__((always_inline)) {
        vf w[P];
#pragma GCC unroll 8
        for (int p = 0; p < P; ++p) w[p] = load(wp + (p * n + k) * 16);
#pragma GCC unroll 16
        for (int t = 0; t < M; ++t) {
            const vf xb = splat(x[t * ldx + k]);  // vbroadcastss from memory
#pragma GCC unroll 8
            for (int p = 0; p < P; ++p) acc[p][t] += w[p] * xb;
        }
    };
    auto fetch = [&](int64_t k) __attribute__((always_inline)) {
#pragma GCC unroll 8
        for (int p = 0; p < P; ++p) prefetch_line_once(pf.next + (p * n + k) * 16);
    };
    if (!pf.next) {
        for (int64_t k = 0; k < n; ++k) step(k);
    } else if (pf.every == 1) {  // one tile per group (T <= kPanelTileM): its lines, k for k
        for (int64_t k = 0; k < n; ++k) fetch(k), step(k);
    } else {
        int countdown = pf.every;
        int64_t kf = pf.k0;
        for (int64_t k = 0; k < n; ++k) {
            if (--countdown == 0) {
                countdown = pf.every;
                if (kf < pf.k1) fetch(kf);
                ++kf;
            }
            step(k);
        }
    }
    // Constant indices only (unrolled), or GCC keeps acc in memory: a spill per multiply-add.
#pragma GCC unroll 16
    for (int t = 0; t < M; ++t)
#pragma GCC unroll 8
        for (int p = 0; p < P; ++p) {
            float* out = y + t * ldy + 16 * p;
            if (valid >= 16 * (p + 1)) {
                store(out, acc[p][t]);
            } else if (valid > 16 * p) {
                float lanes[16];
                store(lanes, acc[p][t]);
                std::memcpy(out, lanes, static_cast<size_t>(valid - 16 * p) * sizeof(float));
            }
        }
}

// The last T % kPanelTileM tokens: one tile of exactly that many (M = rest).
template <int P, int M = 1>
inline void panel_rest(int64_t rest, const float* wp, int64_t n, const float* x, int64_t ldx, float* y,
                       int64_t ldy, int64_t valid, PanelPrefetch pf) {
    if constexpr (M < kPanelTileM) {
        if (rest == M) return panel_tile<P, M>(wp, n, x, ldx, y, ldy, valid, pf);
        panel_rest<P, M + 1>(rest, wp, n, x, ldx, y, ldy, valid, pf);
    }
}

// Every token through P panels. The first tile reads the panels from memory (prefetched by the
// previous group's tiles); all tiles together prefetch the next P panels of the call (`pf_end`
// bounds them), so that DRAM streams while the FMA units work.
template <int P>
inline void panel_tokens(const float* wp, int64_t n, const float* x, int64_t ldx, int64_t T, float* y,
                         int64_t ldy, int64_t valid, const float* pf_end) {
    const int64_t tiles = (T + kPanelTileM - 1) / kPanelTileM, share = (n + tiles - 1) / tiles;
    PanelPrefetch pf;
    pf.next = wp + 2 * P * 16 * n <= pf_end ? wp + P * 16 * n : nullptr;
    pf.every = static_cast<int>(tiles);
    int64_t t = 0;
    for (int64_t i = 0; t < T; ++i, t += kPanelTileM) {
        pf.k0 = i * share;
        pf.k1 = std::min(n, pf.k0 + share);
        if (t + kPanelTileM <= T)
            panel_tile<P, kPanelTileM>(wp, n, x + t * ldx, ldx, y + t * ldy, ldy, valid, pf);
        else
            panel_rest<P>(T - t, wp, n, x + t * ldx, ldx, y + t * ldy, ldy, valid, pf);
    }
}

void gemm_f32_panels(const float* panels, int64_t n, int64_t rows, int64_t readable_rows, const float* x,
                     int64_t ldx, int64_t T, float* y, int64_t ldy) {
    const int64_t n_panels = (rows + 15) / 16;
    // Prefetches may run into the rows after the call's (the next task's: another thread's or this
    // one's next take), so that a call of one or two groups still streams.
    const float* end = panels + (std::max(rows, readable_rows) + 15) / 16 * 16 * n;
    int64_t p = 0;
    for (; p + kPanelTileP <= n_panels; p += kPanelTileP)
        panel_tokens<kPanelTileP>(panels + p * 16 * n, n, x, ldx, T, y + 16 * p, ldy, rows - 16 * p, end);
    for (; p < n_panels; ++p)
        panel_tokens<1>(panels + p * 16 * n, n, x, ldx, T, y + 16 * p, ldy, rows - 16 * p, end);
}
