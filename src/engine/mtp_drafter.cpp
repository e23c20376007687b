#include "engine/mtp_drafter.h"

#include <algorithm>

#include "core/error.h"

namespace hy {

namespace {

int32_t argmax(const float* row, int64_t n) {
    return static_cast<int32_t>(std::max_element(row, row + n) - row);
}

}  // namespace

MtpDrafter::MtpDrafter(Forward& fwd, int num_speculative_tokens) : fwd_(fwd), n_(num_speculative_tokens) {
    if (!fwd.weights().has_mtp)
        throw Error(
            "speculative decoding (method mtp) needs a model with an MTP block "
            "(num_nextn_predict_layers > 0)");
}

void MtpDrafter::start(MtpSequence& s, int64_t pos) const {
    if (s.state)
        s.state->reset();
    else
        s.state = fwd_.new_mtp_sequence();
    s.base = s.next = pos;
    s.rows = 0;
    s.drafts.clear();
}

void MtpDrafter::keep_hidden(MtpSequence& s, const ForwardOutput& out, int64_t first_row,
                             int64_t rows) const {
    const int64_t D = out.hidden_size;
    s.hidden.assign(out.hidden_row(first_row), out.hidden_row(first_row) + rows * D);
    s.rows = rows;
}

void MtpDrafter::advance(MtpSequence& s, std::span<const int32_t> tokens, bool draft) {
    s.drafts.clear();
    if (s.rows == 0) return;
    HY_ASSERT(s.next + s.rows < static_cast<int64_t>(tokens.size()));
    s.state->set_n_past(s.next - s.base);
    // Position t: hidden H_t with token x_{t+1}; the last row predicts the token after tokens.back().
    const ForwardOutput* out =
        &fwd_.run_mtp(*s.state, tokens.subspan(static_cast<size_t>(s.next + 1), static_cast<size_t>(s.rows)),
                      s.hidden.data());
    s.next += s.rows;
    s.rows = 0;
    if (!draft) return;
    const int64_t V = out->n_vocab, D = out->hidden_size;
    int64_t last = out->n_rows - 1;
    for (int j = 0; j < n_; ++j) {
        s.drafts.push_back(argmax(out->logits_row(last), V));
        if (j + 1 == n_) break;
        // Recursive draft: the previous MTP output g as the hidden input, the previous draft as token.
        g_.assign(out->hidden_row(last), out->hidden_row(last) + D);
        out = &fwd_.run_mtp(*s.state, std::span<const int32_t>(&s.drafts.back(), 1), g_.data());
        last = 0;
    }
    s.state->set_n_past(s.next - s.base);  // drop the recursive positions
}

}  // namespace hy
