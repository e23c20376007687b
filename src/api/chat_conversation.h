// A /v1/chat/completions body → Conversation (spec/api.md §3.1): messages, template and kwargs,
// tools and tool_choice, reasoning fields, output format and the sampling fields. Throws hy::Error
// (400) naming the field for anything invalid.
#pragma once

#include "api/conversation.h"
#include "api/json_fields.h"

namespace hy::api {

Conversation read_chat_conversation(Json body, const ServingContext& ctx);

// `messages`: present, a non-empty list of objects with a string role and string, list or null content.
void check_chat_messages(const Json& body);

// A request's own `chat_template` (vLLM: only with --trust-request-chat-template, else 400); null when
// the request has none.
std::shared_ptr<const chat::ChatTemplate> read_request_chat_template(const Json& body,
                                                                     const ServingContext& ctx);

// The server's --default-chat-template-kwargs under the request's chat_template_kwargs.
Json merged_template_kwargs(const Json& body, const ServingContext& ctx);

// tool_choice as OpenAI spells it: "none" | "auto" | "required" | {"type":"function","function":{"name"}}.
// Absent/null: auto when tools are given, else none.
ToolChoice read_tool_choice(const Json& body, bool has_tools);

}  // namespace hy::api
