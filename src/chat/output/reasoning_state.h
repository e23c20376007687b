// The one reasoning state per request (spec/architecture.md "Reasoning state"; api.md 8.2, 8.3;
// lessons 14 and 17). The output parser, the thinking-budget processor and the grammar all read and
// advance this object, so they agree on where the reasoning ends: the budget processor sets
// FORCING_END while it forces `</think>`, the end marker (seen as a token id by `observe_token` or as
// text by the output parser) moves it to IN_CONTENT, and a tool call that begins inside reasoning
// (model skipped `</think>`) ends it too. It only moves forward, except that a `<think>` generated as
// the very first output token enters reasoning.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace hy::chat {

enum class ReasoningPhase {
    IN_REASONING,  // generated text is reasoning
    FORCING_END,   // the thinking budget is spent; the sampler is forcing the end sequence
    IN_CONTENT,    // reasoning is over (or never started): text is content / tool calls
};

// Where generation starts, from the rendered prompt (api.md 8.2 "Prompt check"): the last think
// marker decides. Prompt ending in `<think>\n` → IN_REASONING; `<think></think>` (enable_thinking
// false) or no marker at all → IN_CONTENT.
ReasoningPhase reasoning_phase_from_prompt(std::string_view prompt, std::string_view start_marker = "<think>",
                                           std::string_view end_marker = "</think>");
// The same from prompt token ids, for markers that are single special tokens (model.md 8.1).
ReasoningPhase reasoning_phase_from_prompt_ids(std::span<const std::int32_t> ids, std::int32_t start_id,
                                               std::int32_t end_id);

class ReasoningState {
  public:
    explicit ReasoningState(ReasoningPhase initial = ReasoningPhase::IN_CONTENT) : phase_(initial) {}

    ReasoningPhase phase() const { return phase_; }
    bool in_reasoning() const { return phase_ != ReasoningPhase::IN_CONTENT; }
    // Generated tokens counted inside the think span, markers excluded (usage reasoning_tokens).
    std::int64_t reasoning_tokens() const { return reasoning_tokens_; }

    // Token-level tracking (engine / budget processor). `start_id`/`end_id` are the marker ids.
    void observe_token(std::int32_t id, std::int32_t start_id, std::int32_t end_id);
    // Called by the budget processor when it starts forcing the end sequence.
    void begin_forcing_end() {
        if (phase_ == ReasoningPhase::IN_REASONING) phase_ = ReasoningPhase::FORCING_END;
    }
    // Reasoning is over: `</think>` seen, or a tool call began inside reasoning. Idempotent.
    void end_reasoning() { phase_ = ReasoningPhase::IN_CONTENT; }
    // A `<think>` as the very first generated text/token; ignored once anything was generated.
    void start_reasoning_at_output_start() {
        if (!output_started_) phase_ = ReasoningPhase::IN_REASONING;
    }
    void mark_output_started() { output_started_ = true; }

  private:
    ReasoningPhase phase_;
    std::int64_t reasoning_tokens_ = 0;
    bool output_started_ = false;
};

}  // namespace hy::chat
