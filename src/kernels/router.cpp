#include "kernels/router.h"

#include <cmath>
#include <limits>

namespace hy::kernels {

void route_topk(const float* logits, const float* bias, const RouterParams& p, float* scratch, int32_t* idx,
                float* weights) {
    const int64_t E = p.n_experts;
    float* s = scratch;        // sigmoid scores
    float* sel = scratch + E;  // selection scores
    for (int64_t e = 0; e < E; ++e) {
        s[e] = 1.0f / (1.0f + std::exp(-logits[e]));
        sel[e] = s[e] + (bias ? bias[e] : 0.0f);
    }
    const float ninf = -std::numeric_limits<float>::infinity();
    if (p.n_group > 1 && p.topk_group < p.n_group) {
        // Group score = sum of the group's two best selection scores; keep topk_group groups.
        const int64_t gs = E / p.n_group;
        float gscore[64];
        bool keep[64] = {};
        for (int64_t g = 0; g < p.n_group && g < 64; ++g) {
            float b1 = ninf, b2 = ninf;
            for (int64_t e = g * gs; e < (g + 1) * gs; ++e) {
                if (sel[e] > b1) {
                    b2 = b1;
                    b1 = sel[e];
                } else if (sel[e] > b2) {
                    b2 = sel[e];
                }
            }
            gscore[g] = gs >= 2 ? b1 + b2 : b1;
        }
        for (int64_t n = 0; n < p.topk_group; ++n) {
            int64_t best = -1;
            for (int64_t g = 0; g < p.n_group && g < 64; ++g)
                if (!keep[g] && (best < 0 || gscore[g] > gscore[best])) best = g;
            if (best >= 0) keep[best] = true;
        }
        for (int64_t e = 0; e < E; ++e)
            if (!keep[e / gs]) sel[e] = ninf;
    }
    double sum = 0.0;
    for (int64_t i = 0; i < p.top_k; ++i) {
        int64_t best = -1;
        for (int64_t e = 0; e < E; ++e)
            if (sel[e] != ninf && (best < 0 || sel[e] > sel[best])) best = e;
        if (best < 0) best = 0;  // fewer candidates than k (misconfigured groups): never index out of range
        idx[i] = static_cast<int32_t>(best);
        weights[i] = s[best];
        sum += s[best];
        sel[best] = ninf;
    }
    const float norm = p.norm_topk_prob ? static_cast<float>(1.0 / (sum + 1e-20)) : 1.0f;
    for (int64_t i = 0; i < p.top_k; ++i) weights[i] *= norm * p.routed_scaling_factor;
}

}  // namespace hy::kernels
