// Per-sequence memory of the forward pass (spec/model.md §2.3, §4.2): for every Mamba layer a conv
// state [K−1, Cd] and an SSM state [Hm, P, N] (fp32), for every attention layer K and V rows
// [Hkv·dh] per token. The forward only talks to this interface, so the engine can put a slot pool
// and a paged KV cache behind it, and speculative decoding can observe per-token Mamba states.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/aligned.h"
#include "kernels/attention.h"
#include "model/model_config.h"

namespace hy {

// Receives the Mamba state after each new token of a forward call (MTP verification keeps these
// to roll back to the last accepted draft, spec §5.2 step 4). Setting a sink makes that sequence's
// Mamba layers run token-serially.
class MambaStateSink {
  public:
    virtual ~MambaStateSink() = default;
    // token = index within this call's new tokens; conv [K−1, Cd], ssm [Hm, P, N].
    virtual void on_token(int64_t layer, int64_t token, const float* conv, const float* ssm) = 0;
};

class SequenceState {
  public:
    virtual ~SequenceState() = default;

    // Tokens consumed so far = position of the next token. The forward advances it.
    virtual int64_t n_past() const = 0;
    virtual void set_n_past(int64_t n) = 0;

    // Mamba layer `layer` (index in the owning layer list).
    virtual float* conv_state(int64_t layer) = 0;  // [K−1, Cd]
    virtual float* ssm_state(int64_t layer) = 0;   // [Hm, P, N]

    // Attention layer `layer`: make tokens [0, n_tokens) addressable; pointers stay valid until
    // the next reserve.
    virtual void kv_reserve(int64_t layer, int64_t n_tokens) = 0;
    virtual kernels::KvView kv_view(int64_t layer) = 0;
    // Writes token `pos`'s K and V rows (fp32, `row` = Hkv·dh values each) into the cache, converted to
    // its storage dtype (--kv-cache-dtype).
    virtual void store_kv(int64_t layer, int64_t pos, const float* k, const float* v, int64_t row) = 0;

    virtual MambaStateSink* mamba_sink() { return nullptr; }

    // Prefix caching (engine/scheduler.h): absolute token counts strictly inside this call's new tokens
    // after which the Mamba state is wanted, ascending. The Mamba layers then run their scan in pieces
    // split there (chunked prefill already does this across calls) and report each boundary's state.
    virtual const std::vector<int64_t>* mamba_capture_points() { return nullptr; }
    // The state of Mamba layer `layer` after mamba_capture_points()[index] tokens.
    virtual void on_mamba_capture(int64_t layer, size_t index, const float* conv, const float* ssm) {}
};

// The plain implementation: one sequence owning its memory; K/V in pages of kPageTokens tokens so
// growth allocates once per page, never per decoded token.
class LocalSequenceState final : public SequenceState {
  public:
    static constexpr int64_t kPageTokens = 256;

    // `layers`: the layer kinds of the block this state serves (the trunk or the MTP block).
    LocalSequenceState(const ModelConfig& cfg, const std::vector<LayerKind>& layers);

    int64_t n_past() const override { return n_past_; }
    void set_n_past(int64_t n) override { n_past_ = n; }
    float* conv_state(int64_t layer) override;
    float* ssm_state(int64_t layer) override;
    void kv_reserve(int64_t layer, int64_t n_tokens) override;
    void store_kv(int64_t layer, int64_t pos, const float* k, const float* v, int64_t row) override;
    kernels::KvView kv_view(int64_t layer) override;
    MambaStateSink* mamba_sink() override { return sink_; }

    void set_mamba_sink(MambaStateSink* sink) { sink_ = sink; }
    void reset();  // back to an empty sequence (zero states, no tokens)

  private:
    struct Layer {
        AlignedVector<float> conv, ssm;         // Mamba
        std::vector<AlignedArray<float>> k, v;  // attention pages
        std::vector<float*> k_ptrs, v_ptrs;
    };
    Layer& layer_at(int64_t layer);

    int64_t kv_row_ = 0;
    int64_t n_past_ = 0;
    std::vector<Layer> layers_;
    MambaStateSink* sink_ = nullptr;
};

}  // namespace hy
