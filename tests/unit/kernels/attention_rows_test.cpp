// The tiled attention kernel (attention_rows) against a naive double-precision softmax, over paged K/V
// in fp32, bf16 and fp8; its agreement with the one-row kernel; and that a row's output does not depend
// on how rows are batched (the engine's batch invariance rests on it).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/thread_pool.h"
#include "kernel_test_util.h"
#include "kernels/attention.h"
#include "kernels/bf16_matmul.h"
#include "kernels/kv_convert.h"

namespace hy {
namespace {

using kernels::KvDtype;

// Paged K/V of n tokens in the given dtype, plus the values the kernel should see (decoded rows).
struct PagedKv {
    int64_t Hkv, dh, page;
    KvDtype dtype;
    std::vector<std::vector<float>> kf, vf;    // F32 pages
    std::vector<std::vector<uint8_t>> kb, vb;  // narrow pages
    std::vector<const float*> kfp, vfp;
    std::vector<const uint8_t*> kbp, vbp;
    std::vector<float> k_seen, v_seen;  // [n, Hkv·dh]

    PagedKv(int64_t n, int64_t Hkv_, int64_t dh_, int64_t page_, KvDtype d, uint32_t seed, float range = 1.0f)
        : Hkv(Hkv_), dh(dh_), page(page_), dtype(d) {
        const int64_t row = Hkv * dh, rb = kernels::kv_row_bytes(d, Hkv, dh);
        const auto k = test::random_floats(n * row, seed, -range, range);
        const auto v = test::random_floats(n * row, seed + 1, -range, range);
        const int64_t pages = (n + page - 1) / page;
        kf.assign(pages, std::vector<float>(page * row));
        vf = kf;
        kb.assign(pages, std::vector<uint8_t>(page * rb));
        vb = kb;
        k_seen.resize(n * row);
        v_seen.resize(n * row);
        for (int64_t t = 0; t < n; ++t) {
            const size_t p = t / page, o = t % page;
            std::copy_n(k.data() + t * row, row, kf[p].data() + o * row);
            std::copy_n(v.data() + t * row, row, vf[p].data() + o * row);
            kernels::encode_kv_row(d, k.data() + t * row, Hkv, dh, kb[p].data() + o * rb);
            kernels::encode_kv_row(d, v.data() + t * row, Hkv, dh, vb[p].data() + o * rb);
            for (int64_t g = 0; g < Hkv; ++g) {
                kernels::decode_kv_head(d, kb[p].data() + o * rb, Hkv, dh, g,
                                        k_seen.data() + t * row + g * dh);
                kernels::decode_kv_head(d, vb[p].data() + o * rb, Hkv, dh, g,
                                        v_seen.data() + t * row + g * dh);
            }
        }
        for (int64_t i = 0; i < pages; ++i) {
            kfp.push_back(kf[i].data()), vfp.push_back(vf[i].data());
            kbp.push_back(kb[i].data()), vbp.push_back(vb[i].data());
        }
    }
    kernels::KvView view() const {
        kernels::KvView v{kfp.data(), vfp.data(), page, Hkv * dh};
        v.dtype = dtype;
        v.k_bytes = kbp.data();
        v.v_bytes = vbp.data();
        v.row_bytes = kernels::kv_row_bytes(dtype, Hkv, dh);
        return v;
    }
};

// out rows [n_rows, Hq·dh] for all KV heads.
std::vector<float> run_rows(const std::vector<float>& q, int64_t n_rows, int64_t pos0, int64_t Hq,
                            int64_t Hkv, int64_t dh, const kernels::KvView& kv) {
    std::vector<float> out(static_cast<size_t>(n_rows * Hq * dh), -7.0f);
    kernels::AttnRows a;
    a.q = q.data(), a.ldq = Hq * dh, a.out = out.data(), a.ldo = Hq * dh;
    a.n_rows = n_rows, a.pos0 = pos0, a.Hq = Hq, a.Hkv = Hkv, a.dh = dh;
    for (int64_t g = 0; g < Hkv; ++g) kernels::attention_rows(a, g, kv);
    return out;
}

TEST(AttentionRows, MatchesNaiveOverPagedNarrowKv) {
    struct Case {
        int64_t n_rows, pos0, Hq, Hkv, dh, page;
    };
    for (const Case c : {Case{1, 0, 4, 2, 32, 4}, Case{1, 200, 8, 2, 32, 64}, Case{7, 0, 4, 1, 5, 3},
                         Case{37, 90, 8, 2, 32, 64}, Case{20, 5, 6, 3, 40, 256}, Case{3, 130, 2, 2, 1, 7},
                         Case{130, 0, 4, 4, 16, 64}})
        for (KvDtype d : {KvDtype::F32, KvDtype::BF16, KvDtype::FP8}) {
            const int64_t n = c.pos0 + c.n_rows, row = c.Hkv * c.dh, G = c.Hq / c.Hkv;
            const PagedKv kv(n, c.Hkv, c.dh, c.page, d, 11 + static_cast<uint32_t>(n));
            const auto q = test::random_floats(c.n_rows * c.Hq * c.dh, 3, -2.0f, 2.0f);
            for (kernels::Isa isa : test::supported_isas()) {
                test::IsaScope scope(isa);
                const auto out = run_rows(q, c.n_rows, c.pos0, c.Hq, c.Hkv, c.dh, kv.view());
                // The vdpbf16ps kernel rounds the queries and probabilities to bf16 (~2^-9 relative): worst
                // 1.5e-3 here.
                const double tol = kernels::attention_bf16dot(kv.view(), c.dh) ? 5e-3 : 2e-6;
                for (int64_t i = 0; i < c.n_rows; ++i)
                    for (int64_t h = 0; h < c.Hq; ++h) {
                        const int64_t g = h / G, n_ctx = c.pos0 + i + 1;
                        std::vector<double> s(static_cast<size_t>(n_ctx));
                        double mx = -1e300, sum = 0;
                        for (int64_t j = 0; j < n_ctx; ++j) {
                            double dot = 0;
                            for (int64_t e = 0; e < c.dh; ++e)
                                dot += static_cast<double>(q[(i * c.Hq + h) * c.dh + e]) *
                                       kv.k_seen[j * row + g * c.dh + e];
                            s[j] = dot / std::sqrt(static_cast<double>(c.dh));
                            mx = std::max(mx, s[j]);
                        }
                        for (auto& x : s) sum += (x = std::exp(x - mx));
                        for (int64_t e = 0; e < c.dh; ++e) {
                            double o = 0;
                            for (int64_t j = 0; j < n_ctx; ++j)
                                o += s[j] / sum * kv.v_seen[j * row + g * c.dh + e];
                            ASSERT_NEAR(out[(i * c.Hq + h) * c.dh + e], o, tol)
                                << "isa " << kernels::isa_name(isa) << " dtype " << static_cast<int>(d)
                                << " rows " << c.n_rows << " pos0 " << c.pos0 << " dh " << c.dh << " row "
                                << i << " h " << h;
                        }
                    }
            }
        }
}

TEST(AttentionRows, AgreesWithOneRowKernel) {
    const int64_t Hq = 8, Hkv = 2, dh = 32, n_rows = 50, pos0 = 1000, n = pos0 + n_rows;
    const PagedKv kv(n, Hkv, dh, 64, KvDtype::F32, 5);
    const auto q = test::random_floats(n_rows * Hq * dh, 6, -3.0f, 3.0f);
    const auto out = run_rows(q, n_rows, pos0, Hq, Hkv, dh, kv.view());
    std::vector<float> ref(out.size()), scores(static_cast<size_t>(n));
    for (int64_t i = 0; i < n_rows; ++i)
        for (int64_t h = 0; h < Hq; ++h)
            kernels::attention_head(q.data() + i * Hq * dh, h, Hq, Hkv, dh, kv.view(), pos0 + i + 1,
                                    scores.data(), ref.data() + (i * Hq + h) * dh);
    EXPECT_LT(test::rel_l2(out.data(), ref.data(), static_cast<int64_t>(out.size())), 1e-6);
}

// Rows computed together, one by one, or split at odd places give bit-identical outputs. A single row
// (decode: the GQA group's G query vectors, keys in the lanes on AVX-512) must equal its prefill row.
struct BatchingCase {
    int64_t Hq, Hkv, n_rows, pos0, page;
};
class AttentionRowsBatching : public ::testing::TestWithParam<BatchingCase> {};

TEST_P(AttentionRowsBatching, RowOutputIndependentOfBatching) {
    const auto [Hq, Hkv, n_rows, pos0, page] = GetParam();
    const int64_t dh = 32, n = pos0 + n_rows, qw = Hq * dh;
    for (KvDtype d : {KvDtype::F32, KvDtype::BF16, KvDtype::FP8}) {
        const PagedKv kv(n, Hkv, dh, page, d, 9);
        const auto q = test::random_floats(n_rows * qw, 10, -2.0f, 2.0f);
        for (kernels::Isa isa : test::supported_isas()) {
            test::IsaScope scope(isa);
            const auto all = run_rows(q, n_rows, pos0, Hq, Hkv, dh, kv.view());
            for (int64_t split : {1, 3, 17}) {
                std::vector<float> part(all.size());
                for (int64_t r0 = 0; r0 < n_rows; r0 += split) {
                    const int64_t m = std::min(split, n_rows - r0);
                    const std::vector<float> qs(q.begin() + r0 * qw, q.begin() + (r0 + m) * qw);
                    const auto o = run_rows(qs, m, pos0 + r0, Hq, Hkv, dh, kv.view());
                    std::copy(o.begin(), o.end(), part.begin() + r0 * qw);
                }
                ASSERT_EQ(0, std::memcmp(all.data(), part.data(), all.size() * sizeof(float)))
                    << kernels::isa_name(isa) << " split " << split;
            }
        }
    }
}

// attention_batch (tasks over the pool; a narrow prompt chunk's history converted once per call to the
// pages the kernel computes in: bf16 for fp8 on the vdpbf16ps route, fp32 elsewhere) gives each sequence
// the bits attention_rows gives it alone, on every ISA path and with the bf16 route on and off.
TEST(AttentionBatch, EqualsEachSequenceAlone) {
    const int64_t Hq = 8, Hkv = 2, dh = 32, qw = Hq * dh;
    struct Seq {
        int64_t n_rows, pos0;
    };
    const Seq shapes[] = {
        {50, 100}, {1, 300}, {70, 0}};  // a chunk (several tasks per head), decode, a prompt
    ThreadPool pool(2);
    for (kernels::Isa isa : test::supported_isas())
        for (bool rounded : {true, false})
            for (KvDtype d : {KvDtype::F32, KvDtype::BF16, KvDtype::FP8}) {
                test::IsaScope scope(isa);
                kernels::set_bf16_activations_override(rounded);
                std::vector<PagedKv> kvs;
                std::vector<std::vector<float>> qs, outs;
                for (const Seq& s : shapes) {
                    kvs.emplace_back(s.pos0 + s.n_rows, Hkv, dh, 64, d,
                                     40 + static_cast<uint32_t>(kvs.size()));
                    qs.push_back(test::random_floats(s.n_rows * qw, 50 + static_cast<uint32_t>(qs.size()),
                                                     -2.0f, 2.0f));
                    outs.emplace_back(static_cast<size_t>(s.n_rows * qw), -7.0f);
                }
                std::vector<kernels::AttnSeq> batch;
                for (size_t i = 0; i < kvs.size(); ++i)
                    batch.push_back(
                        {qs[i].data(), outs[i].data(), shapes[i].n_rows, shapes[i].pos0, kvs[i].view()});
                kernels::attention_batch(batch, Hq, Hkv, dh, pool);
                for (size_t i = 0; i < kvs.size(); ++i) {
                    const auto alone =
                        run_rows(qs[i], shapes[i].n_rows, shapes[i].pos0, Hq, Hkv, dh, kvs[i].view());
                    ASSERT_EQ(0, std::memcmp(alone.data(), outs[i].data(), alone.size() * sizeof(float)))
                        << kernels::isa_name(isa) << " bf16 route " << rounded << " dtype "
                        << static_cast<int>(d) << " sequence " << i;
                }
            }
    kernels::clear_bf16_activations_override();
}

INSTANTIATE_TEST_SUITE_P(Shapes, AttentionRowsBatching,
                         ::testing::Values(BatchingCase{4, 2, 45, 77, 16},    // G = 2, pages inside a tile
                                           BatchingCase{8, 2, 20, 150, 64},   // G = 4, three key tiles
                                           BatchingCase{8, 1, 9, 200, 32}));  // G = 8

}  // namespace
}  // namespace hy
