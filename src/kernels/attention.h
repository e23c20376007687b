// Causal GQA attention of one query token over a (possibly paged) K/V history (spec/model.md
// §2.5): no RoPE, scale 1/sqrt(dh), fp32 softmax. K/V rows are [Hkv, dh] per token, stored in
// pages of `page_tokens` tokens so that a paged KV cache can sit behind the same call.
#pragma once

#include <cstdint>

namespace hy::kernels {

struct KvView {
    const float* const* k_pages = nullptr;  // page i holds tokens [i*page_tokens, (i+1)*page_tokens)
    const float* const* v_pages = nullptr;
    int64_t page_tokens = 0;
    int64_t row = 0;  // floats per token (Hkv·dh)
    const float* k(int64_t t) const { return k_pages[t / page_tokens] + (t % page_tokens) * row; }
    const float* v(int64_t t) const { return v_pages[t / page_tokens] + (t % page_tokens) * row; }
};

// out[dh] = softmax_j(q_h·k_j·scale) · v_j over tokens j < n_ctx, for query head h (which reads
// KV head h / (Hq/Hkv)). scores: n_ctx floats of scratch.
void attention_head(const float* q, int64_t h, int64_t Hq, int64_t Hkv, int64_t dh, const KvView& kv,
                    int64_t n_ctx, float* scores, float* out);

}  // namespace hy::kernels
