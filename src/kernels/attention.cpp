#include "kernels/attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/bf16_matmul.h"
#include "kernels/isa.h"
#include "kernels/kv_convert.h"
#define HY_ATTN_LANES 4  // baseline x86-64 copy of attention_impl.h: SSE2, 4 lanes
#include "kernels/attention_impl.h"

namespace hy::kernels {

void attention_rows_avx2(const AttnRows& a, int64_t g, const KvView& kv);    // attention_avx2.cpp
void attention_rows_avx512(const AttnRows& a, int64_t g, const KvView& kv);  // attention_avx512.cpp
void attention_rows_avx512_bf16dot(const AttnRows& a, int64_t g, const KvView& kv);

bool attention_bf16dot(const KvView& kv, int64_t dh) {
    return kv.dtype != KvDtype::F32 && dh % 2 == 0 && bf16_activations_rounded() && bf16_dot_supported();
}

void attention_rows(const AttnRows& a, int64_t g, const KvView& kv) {
    if (a.n_rows <= 0) return;
    switch (kernels().isa) {
        case Isa::AVX512:
            if (attention_bf16dot(kv, a.dh)) return attention_rows_avx512_bf16dot(a, g, kv);
            return attention_rows_avx512(a, g, kv);
        case Isa::AVX2:
            return attention_rows_avx2(a, g, kv);
        case Isa::SCALAR:
            break;
    }
    attention_rows_impl(a, g, kv);
}

namespace {

// A prompt chunk has several tasks per KV head, and over a narrow cache each of them would convert the
// same K/V tiles again (19 times for a warm turn's 292 rows). One pass over the pool converts each such
// history once into pages of the type the kernel computes in, and the tasks read those instead: bf16
// for an fp8 cache on the vdpbf16ps route (a bfloat16 cache is read as it is there), fp32 for any
// narrow cache elsewhere (AVX2, or HYSERVE_BF16_ACTIVATIONS=f32). The same values, so the same bits as
// the tile-by-tile conversion a decode row gets. The pages outlive the call (reused by the next), so
// histories past kMaxShadowBytes in all (a 128K-token prompt of a 2 x 128-wide model would take 128 MiB
// in bf16) keep the tile-by-tile conversion instead.
constexpr int64_t kMaxShadowBytes = int64_t{64} << 20;

struct KvShadow {
    std::vector<float> k, v;  // page after page, as bf16 or fp32 rows
    std::vector<const uint8_t*> kb, vb;
    std::vector<const float*> kf, vf;
};

std::span<const AttnSeq> widen_histories(std::span<const AttnSeq> seqs, int64_t rows_per_task, int64_t Hkv,
                                         int64_t dh, ThreadPool& pool) {
    const auto narrow = [&](const AttnSeq& s) {
        return s.kv.dtype != KvDtype::F32 && s.n_rows > rows_per_task;
    };
    const auto first = std::find_if(seqs.begin(), seqs.end(), narrow);
    if (first == seqs.end()) return seqs;
    const KvDtype to = attention_bf16dot(first->kv, dh) ? KvDtype::BF16 : KvDtype::F32;
    const auto shared = [&](const AttnSeq& s) { return narrow(s) && s.kv.dtype != to; };
    const int64_t row = Hkv * dh, elem = to == KvDtype::BF16 ? 2 : 4;
    int64_t bytes = 0;  // K and V
    for (const AttnSeq& s : seqs)
        if (shared(s)) bytes += 2 * elem * row * (s.pos0 + s.n_rows + s.kv.page_tokens);
    if (bytes == 0 || bytes > kMaxShadowBytes) return seqs;
    struct Job {
        const AttnSeq* s;
        float *k, *v;
        int64_t page, n;
    };
    thread_local std::vector<AttnSeq> local;
    thread_local std::vector<KvShadow> shadows;
    thread_local std::vector<Job> jobs;
    local.assign(seqs.begin(), seqs.end());
    if (shadows.size() < seqs.size()) shadows.resize(seqs.size());
    jobs.clear();
    for (size_t i = 0; i < seqs.size(); ++i) {
        if (!shared(seqs[i])) continue;
        const KvView& kv = seqs[i].kv;
        const int64_t P = kv.page_tokens, n_keys = seqs[i].pos0 + seqs[i].n_rows,
                      pages = (n_keys + P - 1) / P;
        const int64_t page_floats = P * row * elem / 4;  // row is even when `to` is BF16 (dh even)
        KvShadow& sh = shadows[i];
        const auto floats = static_cast<size_t>(pages * page_floats);
        if (sh.k.size() < floats) sh.k.resize(floats), sh.v.resize(floats);
        for (auto* v : {&sh.kb, &sh.vb}) v->resize(static_cast<size_t>(pages));
        for (auto* v : {&sh.kf, &sh.vf}) v->resize(static_cast<size_t>(pages));
        for (int64_t pg = 0; pg < pages; ++pg) {
            float* k = sh.k.data() + pg * page_floats;
            float* v = sh.v.data() + pg * page_floats;
            const auto u = static_cast<size_t>(pg);
            sh.kf[u] = k, sh.vf[u] = v;
            sh.kb[u] = reinterpret_cast<const uint8_t*>(k), sh.vb[u] = reinterpret_cast<const uint8_t*>(v);
            jobs.push_back({&seqs[i], k, v, pg, std::min(P, n_keys - pg * P)});
        }
        KvView& w = local[i].kv;
        w.dtype = to;
        w.k_pages = sh.kf.data(), w.v_pages = sh.vf.data(), w.row = row;
        w.k_bytes = sh.kb.data(), w.v_bytes = sh.vb.data(), w.row_bytes = kv_row_bytes(to, Hkv, dh);
    }
    const std::vector<Job>& all = jobs;  // the pool's threads reach the caller's thread_local through it
    pool.parallel_for(static_cast<int64_t>(all.size()), 1, [&](int64_t b, int64_t e, int) {
        thread_local std::vector<const uint8_t*> rows;  // the executing thread's own
        for (int64_t i = b; i < e; ++i) {
            const Job& j = all[static_cast<size_t>(i)];
            const KvView& kv = j.s->kv;
            if (to == KvDtype::BF16) {
                widen_fp8_rows_bf16_avx512(kv.k_bytes[j.page], kv.row_bytes, j.n, Hkv, dh,
                                           reinterpret_cast<uint16_t*>(j.k));
                widen_fp8_rows_bf16_avx512(kv.v_bytes[j.page], kv.row_bytes, j.n, Hkv, dh,
                                           reinterpret_cast<uint16_t*>(j.v));
                continue;
            }
            for (const auto& [src, dst] :
                 {std::pair{kv.k_bytes[j.page], j.k}, std::pair{kv.v_bytes[j.page], j.v}}) {
                rows.resize(static_cast<size_t>(j.n));
                for (int64_t r = 0; r < j.n; ++r) rows[static_cast<size_t>(r)] = src + r * kv.row_bytes;
                for (int64_t g = 0; g < Hkv; ++g)
                    decode_rows(kv.dtype, rows.data(), j.n, Hkv, dh, g, dst + g * dh, row);
            }
        }
    });
    return local;
}

// One load per 64-byte line of [p, p + bytes): the lines come in from DRAM in a sequential stream.
// (`prefetcht1` instead did not help: the misses were not what cost the time.)
void touch_lines(const char* p, int64_t bytes) {
    char x = 0;
    for (int64_t off = 0; off < bytes; off += 64)
        x = static_cast<char>(x ^ *static_cast<const volatile char*>(p + off));
    asm volatile("" : : "r"(x));
}

// A sequence with several tasks per KV head (a prompt chunk) reads its whole K/V history once per
// task, and the first tasks find it in DRAM: the layers in between streamed their weights through
// the caches. One pass that loads every line of its pages, split over the pool, brings the history
// into the caches before the tasks start (L3 keeps it for the tasks that follow). A warm turn's 292
// queries over 8K positions: ~7.1 -> ~6.9 ms per layer.
void warm_shared_kv(std::span<const AttnSeq> seqs, int64_t rows_per_task, ThreadPool& pool) {
    struct Pages {
        const AttnSeq* s;
        int64_t first, count;  // [first, first + count) in the flat index over the sequences' pages
    };
    thread_local std::vector<Pages> list;
    list.clear();
    int64_t total = 0;
    for (const AttnSeq& s : seqs) {
        if (s.n_rows <= rows_per_task) continue;  // one task per head: it streams the history itself
        const int64_t pages = (s.pos0 + s.n_rows + s.kv.page_tokens - 1) / s.kv.page_tokens;
        list.push_back({&s, total, pages});
        total += pages;
    }
    if (total == 0) return;
    const std::vector<Pages>& all = list;  // the pool's threads reach the caller's thread_local through it
    pool.parallel_for(total, 4, [&](int64_t b, int64_t e, int) {
        for (const Pages& pg : all)
            for (int64_t i = std::max(b, pg.first); i < std::min(e, pg.first + pg.count); ++i) {
                const KvView& kv = pg.s->kv;
                const int64_t page = i - pg.first;
                if (kv.dtype == KvDtype::F32) {
                    const int64_t bytes = kv.page_tokens * kv.row * static_cast<int64_t>(sizeof(float));
                    touch_lines(reinterpret_cast<const char*>(kv.k_pages[page]), bytes);
                    touch_lines(reinterpret_cast<const char*>(kv.v_pages[page]), bytes);
                } else {
                    touch_lines(reinterpret_cast<const char*>(kv.k_bytes[page]),
                                kv.page_tokens * kv.row_bytes);
                    touch_lines(reinterpret_cast<const char*>(kv.v_bytes[page]),
                                kv.page_tokens * kv.row_bytes);
                }
            }
    });
}

}  // namespace

void attention_batch(std::span<const AttnSeq> seqs, int64_t Hq, int64_t Hkv, int64_t dh, ThreadPool& pool) {
    // Each task reads the K/V it needs once for all its query vectors (rows × the GQA group's heads);
    // a row's output does not depend on which rows share its task, so batching keeps every sequence's
    // numbers unchanged. A task of 128 query vectors streams a long history from L3 half as often as
    // one of 64 (a warm turn's 292 rows over 8K positions: 5.7-5.8 against 5.8-5.9 ms per layer); it
    // takes 64 where 128 would leave fewer than two tasks per thread.
    const int64_t G = Hq / Hkv;
    auto tasks_of = [&](int64_t rows_per_task) {
        int64_t n = 0;
        for (const AttnSeq& s : seqs) n += Hkv * ((s.n_rows + rows_per_task - 1) / rows_per_task);
        return n;
    };
    int64_t rows_per_task = std::max<int64_t>(1, 128 / G);
    if (tasks_of(rows_per_task) < 2 * pool.size()) rows_per_task = std::max<int64_t>(1, 64 / G);
    struct Task {
        int64_t seq, g, r0, n;
    };
    thread_local std::vector<Task> tasks;
    tasks.clear();
    int64_t work = 0;
    for (size_t i = 0; i < seqs.size(); ++i) {
        const AttnSeq& s = seqs[i];
        work += s.n_rows * (s.pos0 + s.n_rows) * Hq * dh;
        for (int64_t g = 0; g < Hkv; ++g)
            for (int64_t r0 = 0; r0 < s.n_rows; r0 += rows_per_task)
                tasks.push_back({static_cast<int64_t>(i), g, r0, std::min(rows_per_task, s.n_rows - r0)});
    }
    const int64_t n_tasks = static_cast<int64_t>(tasks.size());
    // Parallel only when there is enough work to pay for waking the pool (decode of short contexts).
    const int64_t grain = work < (int64_t{1} << 16) ? n_tasks : 1;
    const std::vector<Task>& all = tasks;  // the pool's threads reach the caller's thread_local through it
    seqs = widen_histories(seqs, rows_per_task, Hkv, dh, pool);
    warm_shared_kv(seqs, rows_per_task, pool);
    pool.parallel_for(n_tasks, grain, [&](int64_t b, int64_t e, int) {
        for (int64_t i = b; i < e; ++i) {
            const Task& t = all[static_cast<size_t>(i)];
            const AttnSeq& s = seqs[static_cast<size_t>(t.seq)];
            if (i + 1 < e && few_query_vectors(all[static_cast<size_t>(i + 1)].n, G)) {
                // the next task's first tile while this one runs (the kernel fetches its later tiles)
                const Task& u = all[static_cast<size_t>(i + 1)];
                const AttnSeq& su = seqs[static_cast<size_t>(u.seq)];
                const int64_t keys = su.pos0 + u.r0 + u.n;
                prefetch_tile(su.kv, 0, std::min(kAttnKeyTile, keys), u.g, dh);
            }
            AttnRows a;
            a.q = s.q + t.r0 * Hq * dh;
            a.ldq = Hq * dh;
            a.out = s.out + t.r0 * Hq * dh;
            a.ldo = Hq * dh;
            a.n_rows = t.n;
            a.pos0 = s.pos0 + t.r0;
            a.Hq = Hq, a.Hkv = Hkv, a.dh = dh;
            attention_rows(a, t.g, s.kv);
        }
    });
}

void attention_head(const float* q, int64_t h, int64_t Hq, int64_t Hkv, int64_t dh, const KvView& kv,
                    int64_t n_ctx, float* scores, float* out) {
    const KernelTable& k = kernels();
    const int64_t kvh = h / (Hq / Hkv);
    const float* qh = q + h * dh;
    const float scale = 1.0f / std::sqrt(static_cast<float>(dh));
    float mx = -INFINITY;
    for (int64_t j = 0; j < n_ctx; ++j) {
        scores[j] = k.dot_f32(qh, kv.k(j) + kvh * dh, dh) * scale;
        mx = scores[j] > mx ? scores[j] : mx;
    }
    double sum = 0.0;
    for (int64_t j = 0; j < n_ctx; ++j) {
        scores[j] = std::exp(scores[j] - mx);
        sum += scores[j];
    }
    const float inv = static_cast<float>(1.0 / sum);
    for (int64_t i = 0; i < dh; ++i) out[i] = 0.0f;
    for (int64_t j = 0; j < n_ctx; ++j) k.axpy(scores[j] * inv, kv.v(j) + kvh * dh, out, dh);
}

}  // namespace hy::kernels
