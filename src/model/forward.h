// The Nemotron-H forward pass on CPU (spec/model.md §2, MTP §5.1). One call processes a batch of
// sequences, each with any number of new tokens (a decode step, a whole prompt or a prefill chunk),
// continuing from the sequence's stored state; all rows of all sequences share every matmul.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/thread_pool.h"
#include "model/model_weights.h"
#include "model/sequence_state.h"

namespace hy {

struct Segment;

enum class SsmMode {
    AUTO,     // chunked SSD for prefill rows, serial recurrence for single-token steps
    SERIAL,   // token-serial recurrence everywhere (the reference)
    CHUNKED,  // chunked SSD everywhere
};

// The MTP block's final norm (spec §5.1 open question): vLLM suggests RMSNorm, llama.cpp applies a
// mean-subtracted LayerNorm. RMSNorm is the default until a trained checkpoint settles it.
enum class MtpFinalNorm { RMS_NORM, LAYER_NORM };

struct ForwardOptions {
    SsmMode ssm_mode = SsmMode::AUTO;
    MtpFinalNorm mtp_final_norm = MtpFinalNorm::RMS_NORM;
    // Decode steps run the fused Mamba2 step (model/mamba2_step.h); false runs conv, scan and gated
    // norm separately (tests hold the two bit-identical).
    bool fused_mamba_step = true;
};

// One sequence's share of a forward call.
struct SequenceInput {
    SequenceState* state = nullptr;   // positions continue at state->n_past()
    std::span<const int32_t> tokens;  // new tokens (at least one)
    bool all_logits = false;          // logits for every new token, else only for the last
};

// Rows of logits (and the post-norm_f hidden state MTP consumes), in batch order. Owned by the
// Forward object and overwritten by the next call.
struct ForwardOutput {
    int64_t n_rows = 0;
    int64_t n_vocab = 0;
    int64_t hidden_size = 0;
    std::vector<float> logits;     // [n_rows, V]
    std::vector<float> hidden;     // [n_rows, D]
    std::vector<int32_t> row_seq;  // batch index of each row
    std::vector<int64_t> row_pos;  // absolute position of each row
    const float* logits_row(int64_t r) const { return logits.data() + r * n_vocab; }
    // Sizes the output for `rows` rows (buffers only grow: no allocation once warmed up).
    void prepare(int64_t rows, int64_t vocab, int64_t hidden);
    const float* hidden_row(int64_t r) const { return hidden.data() + r * hidden_size; }
};

class Forward {
  public:
    Forward(const ModelWeights& weights, ThreadPool& pool, ForwardOptions options = {});
    ~Forward();
    Forward(const Forward&) = delete;
    Forward& operator=(const Forward&) = delete;

    const ModelWeights& weights() const { return w_; }
    ForwardOptions& options() { return opt_; }

    std::unique_ptr<LocalSequenceState> new_sequence() const;      // state for the trunk
    std::unique_ptr<LocalSequenceState> new_mtp_sequence() const;  // state for the MTP block's layers

    // Runs the trunk. Throws hy::Error for out-of-vocabulary token ids.
    const ForwardOutput& run(std::span<const SequenceInput> batch);

    // MTP block (spec §5.1) over T positions of one sequence: hidden [T, D] is the trunk's
    // post-norm_f state (or the previous MTP output g for recursive drafts), tokens[t] the token at
    // the next position. Outputs draft logits and g (as `hidden`) for every row.
    const ForwardOutput& run_mtp(SequenceState& mtp_state, std::span<const int32_t> tokens,
                                 const float* hidden);

    struct Scratch;

  private:
    const ModelWeights& w_;
    ThreadPool& pool_;
    ForwardOptions opt_;
    std::unique_ptr<Scratch> s_;
    std::vector<Segment> segs_;
    ForwardOutput out_;
};

}  // namespace hy
