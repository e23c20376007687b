// Causal GQA attention over a (possibly paged) K/V history (spec/model.md §2.5): no RoPE, scale
// 1/sqrt(dh), fp32 softmax. K/V rows are [Hkv, dh] per token, stored in pages of `page_tokens`
// tokens so that a paged KV cache can sit behind the same call. The cache may store the rows narrower
// than fp32 (--kv-cache-dtype, kv_convert.h); the kernel converts them while loading.
#pragma once

#include <cstdint>
#include <span>

namespace hy {
class ThreadPool;
}

namespace hy::kernels {

// Storage dtype of cached K/V rows. FP8 is e4m3fn with one power-of-two scale per token and KV head
// (kv_convert.h says why).
enum class KvDtype : uint8_t { F32, BF16, FP8 };

// Bytes of one token's K (or V) row of Hkv heads × dh: the elements, then for FP8 one int8 scale
// exponent per head.
int64_t kv_row_bytes(KvDtype d, int64_t Hkv, int64_t dh);

struct KvView {
    const float* const* k_pages = nullptr;  // F32: page i holds tokens [i*page_tokens, (i+1)*page_tokens)
    const float* const* v_pages = nullptr;
    int64_t page_tokens = 0;
    int64_t row = 0;  // elements per token (Hkv·dh)
    KvDtype dtype = KvDtype::F32;
    // BF16 / FP8: pages of rows of kv_row_bytes(dtype, Hkv, dh) bytes each.
    const uint8_t* const* k_bytes = nullptr;
    const uint8_t* const* v_bytes = nullptr;
    int64_t row_bytes = 0;

    const float* k(int64_t t) const { return k_pages[t / page_tokens] + (t % page_tokens) * row; }
    const float* v(int64_t t) const { return v_pages[t / page_tokens] + (t % page_tokens) * row; }
    const uint8_t* kb(int64_t t) const { return k_bytes[t / page_tokens] + (t % page_tokens) * row_bytes; }
    const uint8_t* vb(int64_t t) const { return v_bytes[t / page_tokens] + (t % page_tokens) * row_bytes; }
};

// The one-query-row kernel (kept as the reference the tiled kernel is measured and tested against;
// F32 views only): out[dh] = softmax_j(q_h·k_j·scale) · v_j over tokens j < n_ctx, for query head h
// (which reads KV head h / (Hq/Hkv)). scores: n_ctx floats of scratch.
void attention_head(const float* q, int64_t h, int64_t Hq, int64_t Hkv, int64_t dh, const KvView& kv,
                    int64_t n_ctx, float* scores, float* out);

// n_rows consecutive query rows of one sequence at positions pos0, pos0+1, …; row i attends to tokens
// [0, pos0 + i] (causal). Row i's query head h is at q[i*ldq + h*dh], its output at out[i*ldo + h*dh].
struct AttnRows {
    const float* q = nullptr;
    int64_t ldq = 0;
    float* out = nullptr;
    int64_t ldo = 0;
    int64_t n_rows = 0, pos0 = 0;
    int64_t Hq = 0, Hkv = 0, dh = 0;
};

// All query heads of KV head g for those rows, flash-attention style: the rows × the GQA group's
// heads are laid across vector lanes, K/V are read in tiles of kAttnKeyTile tokens once per call
// (converted to fp32 once per tile), softmax is online (running max and sum per lane), causal
// masking only touches the tiles that cross a row's position. Every lane's arithmetic is the same
// whatever the other lanes hold, so a row's output does not depend on how rows are batched.
constexpr int64_t kAttnKeyTile = 64;
void attention_rows(const AttnRows& a, int64_t g, const KvView& kv);

// Whether attention_rows takes the vdpbf16ps kernel for this view (attention_bf16dot_impl.h): a BF16
// or FP8 cache (fp8 values are exact in bf16) on a CPU with AVX-512 BF16, unless
// HYSERVE_BF16_ACTIVATIONS=f32 (bf16_matmul.h) asks for exact fp32 products; otherwise narrow rows
// are widened to fp32 per tile.
bool attention_bf16dot(const KvView& kv, int64_t dh);

// One batch of sequences (the attention layer's segments): n_rows query rows [n_rows, Hq·dh] of each,
// starting at position pos0, outputs likewise. Split into tasks of (sequence, KV head, up to 64 query
// vectors) over the pool; a single task when the work is too small to pay for waking the pool.
struct AttnSeq {
    const float* q = nullptr;
    float* out = nullptr;
    int64_t n_rows = 0, pos0 = 0;
    KvView kv;
};
void attention_batch(std::span<const AttnSeq> seqs, int64_t Hq, int64_t Hkv, int64_t dh, ThreadPool& pool);

}  // namespace hy::kernels
