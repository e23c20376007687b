// Responses API request → the internal Conversation (spec/api.md §5.1, issue 7): `input` as a string
// or items (messages with input_text/output_text parts, function_call, function_call_output,
// reasoning), `instructions`, flat function tools, tool_choice, sampling, text.format and
// reasoning.effort. The converted messages (without instructions) are kept for the store, so a
// `previous_response_id` continuation can prepend them.
#pragma once

#include <optional>
#include <string>

#include "api/conversation.h"
#include "api/json_fields.h"

namespace hy::api {

struct ResponsesRequest {
    Conversation conv;
    Json history = Json::array();  // the conversation so far in OpenAI form, instructions excluded
    bool store = true;             // the request's `store` (effective only with the store enabled)
    std::optional<std::string> previous_response_id;
    Json echo = Json::object();  // request fields the response object repeats (§5.2)
};

// `previous_history`: the stored history and output messages of previous_response_id (or an empty
// array). Throws hy::Error (400) naming the offending field.
ResponsesRequest responses_request(const Json& body, const ServingContext& ctx, const Json& previous_history);

// The messages a continuation sees for a stored response's output: message items as assistant text,
// function_call items as its tool_calls; reasoning items are left out (§5.1).
Json output_messages(const Json& output_items);

// reasoning.effort → template kwarg and thinking budget (documented in docs/messages_and_responses.md):
// none → thinking off; minimal → 256 tokens; low → 1024; medium → 8192; high/xhigh → no budget.
void apply_reasoning_effort(const std::string& effort, Conversation& conv);

}  // namespace hy::api
