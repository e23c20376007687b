// A /v1/chat/completions body → Conversation (spec/api.md §3.1): messages, template and kwargs,
// tools and tool_choice, reasoning fields, output format and the sampling fields. Throws hy::Error
// (400) naming the field for anything invalid.
#pragma once

#include "api/conversation.h"
#include "api/json_fields.h"

namespace hy::api {

Conversation read_chat_conversation(Json body, const ServingContext& ctx);

// tool_choice as OpenAI spells it: "none" | "auto" | "required" | {"type":"function","function":{"name"}}.
// Absent/null: auto when tools are given, else none.
ToolChoice read_tool_choice(const Json& body, bool has_tools);

}  // namespace hy::api
