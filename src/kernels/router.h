// MoE expert selection of spec/model.md §2.7 steps 2–5: sigmoid scores, correction bias for
// selection only, DeepSeek-style group limit, top-k, weights from the unbiased scores,
// renormalisation and routed scaling.
#pragma once

#include <cstdint>

namespace hy::kernels {

struct RouterParams {
    int64_t n_experts = 0;  // E
    int64_t top_k = 0;      // k
    int64_t n_group = 1;
    int64_t topk_group = 1;
    bool norm_topk_prob = true;
    float routed_scaling_factor = 1.0f;
};

// logits [E] (fp32 router output), bias [E] or null. Writes idx[k] (descending selection score,
// ties to the lower index) and weights[k]. scratch: 2·E floats.
void route_topk(const float* logits, const float* bias, const RouterParams& p, float* scratch, int32_t* idx,
                float* weights);

}  // namespace hy::kernels
