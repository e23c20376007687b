// Attention over a paged K/V view and MoE router top-k, against naive versions.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "kernel_test_util.h"
#include "kernels/attention.h"
#include "kernels/router.h"

namespace hy {
namespace {

TEST(Attention, PagedMatchesNaive) {
    for (int64_t n_ctx : {1, 3, 17})
        for (int64_t dh : {1, 5, 32}) {
            const int64_t Hq = 4, Hkv = 2, row = Hkv * dh, page = 4;
            const auto q = test::random_floats(Hq * dh, 1);
            const auto k = test::random_floats(n_ctx * row, 2), v = test::random_floats(n_ctx * row, 3);
            // Copy into pages of 4 tokens.
            const int64_t n_pages = (n_ctx + page - 1) / page;
            std::vector<std::vector<float>> kp(static_cast<size_t>(n_pages), std::vector<float>(page * row)),
                vp = kp;
            std::vector<const float*> kptr, vptr;
            for (int64_t t = 0; t < n_ctx; ++t) {
                std::copy_n(k.data() + t * row, row, kp[t / page].data() + (t % page) * row);
                std::copy_n(v.data() + t * row, row, vp[t / page].data() + (t % page) * row);
            }
            for (int64_t i = 0; i < n_pages; ++i) kptr.push_back(kp[i].data()), vptr.push_back(vp[i].data());
            kernels::KvView kv{kptr.data(), vptr.data(), page, row};
            for (kernels::Isa isa : test::supported_isas()) {
                test::IsaScope scope(isa);
                for (int64_t h = 0; h < Hq; ++h) {
                    std::vector<float> scores(static_cast<size_t>(n_ctx)), out(static_cast<size_t>(dh));
                    kernels::attention_head(q.data(), h, Hq, Hkv, dh, kv, n_ctx, scores.data(), out.data());
                    const int64_t g = h / (Hq / Hkv);
                    std::vector<double> s(static_cast<size_t>(n_ctx));
                    double mx = -1e300, sum = 0;
                    for (int64_t j = 0; j < n_ctx; ++j) {
                        double d = 0;
                        for (int64_t i = 0; i < dh; ++i)
                            d += static_cast<double>(q[h * dh + i]) * k[j * row + g * dh + i];
                        s[j] = d / std::sqrt(static_cast<double>(dh));
                        mx = std::max(mx, s[j]);
                    }
                    for (auto& x : s) sum += (x = std::exp(x - mx));
                    for (int64_t i = 0; i < dh; ++i) {
                        double o = 0;
                        for (int64_t j = 0; j < n_ctx; ++j) o += s[j] / sum * v[j * row + g * dh + i];
                        ASSERT_NEAR(out[i], o, 1e-5) << n_ctx << " " << dh << " " << h;
                    }
                }
            }
        }
}

TEST(Router, TopKMatchesSort) {
    for (int64_t E : {1, 6, 16})
        for (int64_t k : {1, 3})
            for (bool norm : {false, true}) {
                if (k > E) continue;
                const auto logits = test::random_floats(E, static_cast<uint32_t>(E + k));
                const auto bias = test::random_floats(E, 9, -0.3f, 0.3f);
                kernels::RouterParams p;
                p.n_experts = E;
                p.top_k = k;
                p.norm_topk_prob = norm;
                p.routed_scaling_factor = 2.5f;
                std::vector<float> scratch(static_cast<size_t>(2 * E)), w(static_cast<size_t>(k));
                std::vector<int32_t> idx(static_cast<size_t>(k));
                kernels::route_topk(logits.data(), bias.data(), p, scratch.data(), idx.data(), w.data());
                std::vector<int32_t> order(static_cast<size_t>(E));
                std::iota(order.begin(), order.end(), 0);
                auto sig = [&](int e) { return 1.0 / (1.0 + std::exp(-static_cast<double>(logits[e]))); };
                std::stable_sort(order.begin(), order.end(),
                                 [&](int a, int b) { return sig(a) + bias[a] > sig(b) + bias[b]; });
                double sum = 0;
                for (int64_t i = 0; i < k; ++i) sum += sig(order[i]);
                for (int64_t i = 0; i < k; ++i) {
                    EXPECT_EQ(idx[i], order[i]);
                    EXPECT_NEAR(w[i], sig(order[i]) * (norm ? 1.0 / sum : 1.0) * 2.5, 1e-5);
                }
            }
}

TEST(Router, GroupLimit) {
    // 8 experts in 4 groups of 2; only the best 2 groups (by sum of their top-2) may be chosen.
    const float logits[8] = {5, 5, -5, -5, 2, 2, 4, 9};  // best group sums: g0 (5+5), g3 (4+9); then g2
    kernels::RouterParams p;
    p.n_experts = 8;
    p.top_k = 3;
    p.n_group = 4;
    p.topk_group = 2;
    std::vector<float> scratch(16), w(3);
    std::vector<int32_t> idx(3);
    kernels::route_topk(logits, nullptr, p, scratch.data(), idx.data(), w.data());
    for (int32_t e : idx) EXPECT_TRUE(e == 0 || e == 1 || e == 6 || e == 7) << e;
}

}  // namespace
}  // namespace hy
