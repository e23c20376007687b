// The output events of one choice (spec/architecture.md "Output events"): what the incremental
// output parser emits and what the three API serializers consume. A non-streaming message is the
// fold of the same deltas (ParsedMessage::apply), so both paths agree by construction.
#pragma once

#include <string>
#include <vector>

namespace hy::chat {

enum class DeltaKind {
    REASONING_TEXT,   // `text` is reasoning (chat delta.reasoning, Anthropic thinking_delta, Responses
                      // reasoning)
    CONTENT_TEXT,     // `text` is answer text (delta.content, text_delta, output_text.delta)
    TOOL_CALL_BEGIN,  // a call `index` starts: `id` ("call_<24hex>") and `name` are set, arguments ""
    TOOL_CALL_ARGS,   // `text` is the next fragment of call `index`'s arguments JSON
                      // (delta.tool_calls[].function.arguments, input_json_delta.partial_json,
                      // function_call_arguments.delta)
    TOOL_CALL_END,    // call `index` is complete: its ARGS fragments concatenate to valid JSON
};

struct Delta {
    DeltaKind kind = DeltaKind::CONTENT_TEXT;
    std::string text;  // REASONING_TEXT / CONTENT_TEXT / TOOL_CALL_ARGS
    int index = -1;    // TOOL_CALL_*: dense 0, 1, 2 … in the order calls begin
    std::string id;    // TOOL_CALL_BEGIN
    std::string name;  // TOOL_CALL_BEGIN

    bool operator==(const Delta&) const = default;
};

struct ParsedToolCall {
    std::string id;
    std::string name;
    std::string arguments_json;  // json.dumps form: {"city": "Paris", "days": 3}
    bool operator==(const ParsedToolCall&) const = default;
};

// The folded message. Empty reasoning/content mean null in the APIs (api.md 3.4, 8.2).
struct ParsedMessage {
    std::string reasoning;
    std::string content;
    std::vector<ParsedToolCall> tool_calls;

    void apply(const Delta& d);
    void apply(const std::vector<Delta>& ds) {
        for (const auto& d : ds) apply(d);
    }
    bool operator==(const ParsedMessage&) const = default;
};

}  // namespace hy::chat
