// The Chat Completions serializer as pure functions of ChoiceEvents (spec/api.md §3.3–§3.5), so the
// handler and the golden-stream test (tests/unit/api/chat_stream_test.cpp) run the same code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "api/conversation.h"
#include "api/openai_format.h"
#include "chat/output/output_delta.h"

namespace hy::api {

struct ChatChunkHeader {
    std::string id;
    int64_t created = 0;
    std::string model;
};

// A chunk with no choices yet: {"id","object":"chat.completion.chunk","created","model"}.
OJson chat_chunk(const ChatChunkHeader& h);

// How a choice reports its end (spec §3.4): tool_choice named finishes "stop" with content "";
// required/named give content "" rather than null.
struct ChatToolPolicy {
    bool named_tool = false;
    bool forced_tools = false;
};

// finish_reason of a choice: one that made tool calls finishes "tool_calls" unless cut by length.
OJson chat_finish_reason(FinishReason finish, bool has_tool_calls, const ChatToolPolicy& policy);

// The first chunks of every choice: the role with content "", then the echoed text if any.
std::vector<OJson> chat_opening_chunks(const ChatChunkHeader& h, int64_t n, const std::string& echo_text,
                                       const std::string& role = "assistant");

// The chunks of one event (spec §3.5): reasoning and content may share a delta at the think→answer
// boundary; a tool call's header (index, id, type, name, arguments "") is a delta of its own,
// argument fragments follow. `logprobs` and the finish go with the last chunk. Empty when the event
// shows nothing (no text, not final, no logprobs wanted).
std::vector<OJson> chat_event_chunks(const ChatChunkHeader& h, const ChoiceEvent& ev,
                                     const ChatToolPolicy& policy, bool want_logprobs, const OJson& logprobs);

// The non-streaming message of a choice folded from its events.
OJson chat_message_json(const chat::ParsedMessage& msg, const std::string& echo_text, bool include_reasoning,
                        const ChatToolPolicy& policy, const std::string& role = "assistant");

}  // namespace hy::api
