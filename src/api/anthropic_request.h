// Anthropic Messages request → the internal Conversation (spec/api.md §6.1, issue 7): system,
// text/tool_use/tool_result/thinking blocks, tools with input_schema, tool_choice, stop_sequences,
// sampling, and thinking enabled/disabled/budget_tokens. Images are a 400: the model reads text only.
#pragma once

#include "api/conversation.h"
#include "api/json_fields.h"

namespace hy::api {

// `count_only`: the count_tokens body (no max_tokens, no sampling). Throws hy::Error (400) naming the
// offending field.
Conversation anthropic_conversation(const Json& body, const ServingContext& ctx, bool count_only);

// Tokens of the prompt `conv` renders to (system, tools and the generation prompt included), counted
// without the context-length check generation makes (count_tokens, §6.4). 400 without a chat template.
int64_t rendered_prompt_tokens(const ServingContext& ctx, const Conversation& conv);

}  // namespace hy::api
