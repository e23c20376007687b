// MTP speculative decoding, draft side (spec/model.md §5.1): per sequence, the MTP block's own state
// (KV of its attention layer, aligned with target positions) and the next drafts. After every target
// forward the scheduler hands over the post-norm_f hidden rows of the positions it kept; the drafter
// runs the MTP block over them, shifted by one (position t takes H_t and token x_{t+1}), which after
// the prefill fills the MTP KV over the whole prompt, and drafts d_1 = argmax of the last row, then
// d_j by feeding the previous MTP output g and d_{j−1} back in (vLLM reuses the one block n times).
// The recursive positions are truncated again: the next step overwrites them with real hidden rows.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "model/forward.h"

namespace hy {

struct MtpSequence {
    std::unique_ptr<LocalSequenceState> state;
    int64_t base = 0;           // trunk position of the MTP state's position 0 (a prefix-cache hit)
    int64_t next = 0;           // trunk position the MTP block runs next
    std::vector<float> hidden;  // kept trunk hidden rows, positions [next, next + rows)
    int64_t rows = 0;
    std::vector<int32_t> drafts;  // for the tokens after the sequence's last one
};

class MtpDrafter {
  public:
    MtpDrafter(Forward& fwd, int num_speculative_tokens);

    int num_speculative_tokens() const { return n_; }
    // A fresh MTP state for a sequence whose trunk resumes at position `pos` (0, or a prefix-cache hit:
    // the MTP block then attends only from there, which may lower acceptance but never changes output).
    void start(MtpSequence& s, int64_t pos) const;
    // Keeps hidden rows [first_row, first_row + rows) of `out`, the trunk positions [s.next, +rows).
    void keep_hidden(MtpSequence& s, const ForwardOutput& out, int64_t first_row, int64_t rows) const;
    // Runs the MTP block over the kept rows (tokens: the sequence's tokens; every kept position t needs
    // tokens[t + 1]) and, when `draft`, proposes the next num_speculative_tokens() drafts.
    void advance(MtpSequence& s, std::span<const int32_t> tokens, bool draft);

  private:
    Forward& fwd_;
    int n_;
    std::vector<float> g_;
};

}  // namespace hy
