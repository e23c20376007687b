// See reasoning_state.h.
#include "chat/output/reasoning_state.h"

namespace hy::chat {

ReasoningPhase reasoning_phase_from_prompt(std::string_view prompt, std::string_view start_marker,
                                           std::string_view end_marker) {
    std::size_t s = prompt.rfind(start_marker);
    std::size_t e = prompt.rfind(end_marker);
    if (s == std::string_view::npos) return ReasoningPhase::IN_CONTENT;
    if (e != std::string_view::npos && e > s) return ReasoningPhase::IN_CONTENT;
    return ReasoningPhase::IN_REASONING;
}

ReasoningPhase reasoning_phase_from_prompt_ids(std::span<const std::int32_t> ids, std::int32_t start_id,
                                               std::int32_t end_id) {
    for (std::size_t i = ids.size(); i-- > 0;) {
        if (ids[i] == end_id) return ReasoningPhase::IN_CONTENT;
        if (ids[i] == start_id) return ReasoningPhase::IN_REASONING;
    }
    return ReasoningPhase::IN_CONTENT;
}

void ReasoningState::observe_token(std::int32_t id, std::int32_t start_id, std::int32_t end_id) {
    if (id == start_id && phase_ == ReasoningPhase::IN_CONTENT) start_reasoning_at_output_start();
    output_started_ = true;
    if (phase_ == ReasoningPhase::IN_CONTENT) return;
    if (id == end_id) {
        phase_ = ReasoningPhase::IN_CONTENT;
    } else if (id != start_id) {
        ++reasoning_tokens_;
    }
}

}  // namespace hy::chat
