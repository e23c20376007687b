// See reasoning_constraint.h.
#include "api/constraints/reasoning_constraint.h"

#include "engine/grammar/logit_mask.h"

namespace hy::api {

ReasoningConstraint::ReasoningConstraint(const ConstraintSpec& spec) : spec_(spec), state_(spec.initial) {
    if (!spec_.markers.known()) state_.end_reasoning();  // no markers: everything is content
    if (spec_.grammar) {
        matcher_.emplace(spec_.grammar, spec_.vocab);
        mask_.resize(matcher_->mask_words());
    }
}

int32_t ReasoningConstraint::forced_token() {
    // §8.3 step 3: at count >= budget, force the end sequence token by token (budget 0 with an open
    // <think> forces it first).
    if (state_.phase() == chat::ReasoningPhase::IN_REASONING && spec_.thinking_budget &&
        state_.reasoning_tokens() >= *spec_.thinking_budget && !spec_.end_sequence.empty()) {
        state_.begin_forcing_end();
        forced_pos_ = 0;
    }
    if (state_.phase() == chat::ReasoningPhase::FORCING_END && forced_pos_ < spec_.end_sequence.size())
        return spec_.end_sequence[forced_pos_];
    return -1;
}

void ReasoningConstraint::mask_logits(float* logits, int64_t n) {
    if (!matcher_ || state_.in_reasoning()) return;  // thinking stays free (issue 9)
    if (!mask_ready_) matcher_->fill_next_token_mask(mask_.data());
    mask_ready_ = false;
    grammar::apply_token_mask(logits, static_cast<size_t>(n), mask_.data(), spec_.vocab->size());
}

void ReasoningConstraint::prepare() {
    if (!matcher_ || state_.in_reasoning() || mask_ready_) return;
    matcher_->fill_next_token_mask(mask_.data());
    mask_ready_ = true;
}

void ReasoningConstraint::accept(int32_t token) {
    mask_ready_ = false;
    if (state_.phase() == chat::ReasoningPhase::FORCING_END) {
        ++forced_pos_;
        if (forced_pos_ >= spec_.end_sequence.size()) state_.end_reasoning();
        state_.mark_output_started();
        return;
    }
    // A token the mask allowed always advances the matcher; anything else (an all -inf row) leaves
    // it where it was.
    if (matcher_ && !state_.in_reasoning() && token >= 0)
        (void)matcher_->accept_token(static_cast<uint32_t>(token));
    if (spec_.markers.known())
        state_.observe_token(token, spec_.markers.start_id, spec_.markers.end_id);
    else
        state_.mark_output_started();
}

}  // namespace hy::api
