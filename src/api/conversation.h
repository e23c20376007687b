// One generation path, three front ends (issue 7; spec/architecture.md "Output events"). Chat
// Completions, Anthropic Messages and Responses each turn their request into a Conversation,
// prepare it once (template, validation, grammar), run it with run_conversation, and serialize the
// same ChoiceEvents into their own wire format. Nothing here knows about HTTP or any API's JSON
// shape: that is the serializers' job (chat_completions.cpp, messages*.cpp, responses*.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/generation_run.h"
#include "api/sampling_fields.h"
#include "api/serving_context.h"
#include "chat/chat_request.h"
#include "chat/output/output_delta.h"

namespace hy::api {

// spec/api.md §3.1 / §8: none = no tool parsing; required = at least one call (grammar); named =
// exactly a call of that function, its arguments constrained by its parameter schema.
enum class ToolChoiceMode { NONE, AUTO, REQUIRED, NAMED };
struct ToolChoice {
    ToolChoiceMode mode = ToolChoiceMode::AUTO;
    std::string function_name;  // NAMED
};

// The whitespace a JSON constraint allows between tokens (and before the value) unless the request
// says otherwise. As vLLM's default (xgrammar `any_whitespace`, `disable_any_whitespace: false`), the
// model may write `</think>\n{"a": 1}` as it was trained to; a compact-only grammar refused the
// newline and the `": "` token and pushed it off its distribution (issue 11: the default model ran
// to max_tokens inside a key). Bounded, as llama.cpp's JSON grammar bounds its `space` rule, so a
// looping model cannot fill max_tokens with blanks.
inline constexpr const char* kJsonWhitespace = "[ \\t\\n]{0,20}";

// At most one output constraint (issue 9): response_format, structured_outputs, guided_*, or the
// Responses API's text.format all reduce to this. It applies only after reasoning ends.
struct OutputFormat {
    enum class Kind { TEXT, JSON_OBJECT, JSON_SCHEMA, REGEX, CHOICE, GRAMMAR };
    Kind kind = Kind::TEXT;
    nlohmann::ordered_json schema;     // JSON_SCHEMA
    std::string text;                  // REGEX pattern or GRAMMAR source
    std::vector<std::string> choices;  // CHOICE
    // JSON kinds: whitespace allowed between tokens ("" = compact; default: kJsonWhitespace).
    std::string whitespace_pattern = kJsonWhitespace;
    std::string field;  // the request field it came from, named in 400s
};

// The internal request every chat-style front end converts to.
struct Conversation {
    chat::ChatRequest chat;  // messages in OpenAI form, tools, template kwargs (enable_thinking …)
    ToolChoice tool_choice;
    bool parallel_tool_calls = true;
    bool include_reasoning = true;
    std::optional<int64_t> thinking_budget;  // reasoning tokens; nullopt = only the server ceiling
    OutputFormat format;
    SamplingFields sampling;
    bool clamp_max_tokens = false;  // Anthropic: max_tokens past the context is clamped, not a 400
    // Responses truncation "auto": a prompt past the context loses its oldest turns.
    bool drop_oldest_turns = false;
    // A per-request template (chat_template field, already trust-checked); null = the model's.
    std::shared_ptr<const chat::ChatTemplate> chat_template;
};

// A validated, rendered conversation: prompt ids, compiled grammar, parser options. Opaque to the
// serializers except for what they must report.
struct PreparedConversation;
// Throws hy::Error (400 with a message naming the field) for anything the request cannot mean.
std::shared_ptr<const PreparedConversation> prepare_conversation(ServingContext& ctx, Conversation conv);
int64_t prompt_token_count(const PreparedConversation& conv);
const SamplingFields& sampling_of(const PreparedConversation& conv);
const std::vector<int32_t>& prompt_ids_of(const PreparedConversation& conv);
// The tool choice in force (REQUIRED with no tools reads as NONE). Named choice finishes "stop"
// in chat completions (spec §3.4), required/auto with calls "tool_calls".
const ToolChoice& tool_choice_of(const PreparedConversation& conv);

// Settles ctx.reasoning_parser / tool_call_parser "auto" from the chat template and logs which parsers
// are active. Idempotent; prepare_conversation calls it.
void resolve_output_parsers(ServingContext& ctx);

// What one choice produced since its previous event, in order.
struct ChoiceEvent {
    int index = 0;
    std::vector<chat::Delta> deltas;     // reasoning / content / tool-call diffs of this step
    std::vector<GeneratedToken> tokens;  // the tokens of this step (with logprobs when asked)
    FinishReason finish = FinishReason::NONE;
    std::string stop_sequence;           // the matched stop string (finish STOP by string), else empty
    nlohmann::ordered_json stop_reason;  // chat's stop_reason: that string or the stop token id, else null
    bool has_tool_calls = false;         // final event: the choice made at least one tool call
    int64_t completion_tokens = 0;       // running totals for this choice
    int64_t reasoning_tokens = 0;
    int64_t cached_tokens = 0;                   // prompt tokens this choice resumed from the prefix cache
    std::vector<PromptLogprob> prompt_logprobs;  // first event, with sampling prompt_logprobs >= 0
};

// on_event returns false when the client is gone; client_gone is polled while waiting for tokens.
RunResult run_conversation(ServingContext& ctx, const PreparedConversation& conv,
                           const std::function<bool(const ChoiceEvent&)>& on_event,
                           const std::function<bool()>& client_gone);

}  // namespace hy::api
