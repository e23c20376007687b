// Responses request → Conversation and history (issue 7, spec/api.md §5.1).
#include "api/responses_request.h"

#include <gtest/gtest.h>

namespace hy::api {
namespace {

ResponsesRequest convert(const std::string& body, const Json& prev = Json::array()) {
    ServingContext ctx;
    ctx.served_names = {"tiny"};
    return responses_request(Json::parse(body), ctx, prev);
}

std::string error_of(const std::string& body) {
    try {
        convert(body);
    } catch (const Error& e) {
        EXPECT_EQ(e.http_status, 400);
        return e.what();
    }
    return "no error";
}

TEST(ResponsesRequest, StringInputInstructionsAndEcho) {
    const ResponsesRequest r = convert(R"({"input": "Hi", "instructions": "Be brief.", "max_output_tokens": 9,
        "temperature": 0, "store": false, "metadata": {"k": "v"}})");
    EXPECT_EQ(r.conv.chat.messages,
              Json::parse(R"([{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}])"));
    EXPECT_EQ(r.history,
              Json::parse(R"([{"role":"user","content":"Hi"}])"));  // instructions are not carried on
    EXPECT_FALSE(r.store);
    EXPECT_EQ(r.conv.sampling.max_tokens, 9);
    EXPECT_TRUE(r.conv.clamp_max_tokens);
    EXPECT_EQ(r.echo["instructions"], "Be brief.");
    EXPECT_EQ(r.echo["metadata"]["k"], "v");
    EXPECT_EQ(r.echo["tool_choice"], "auto");
}

TEST(ResponsesRequest, ItemsMergeIntoAssistantTurns) {
    const ResponsesRequest r = convert(R"({"input": [
        {"role": "user", "content": [{"type": "input_text", "text": "a"}, {"type": "input_text", "text": "b"}]},
        {"type": "reasoning", "id": "rs_1", "summary": [], "content": [{"type": "reasoning_text", "text": "think"}]},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "calling"}]},
        {"type": "function_call", "call_id": "call_1", "name": "f", "arguments": "{\"x\": 1}"},
        {"type": "function_call", "call_id": "call_2", "name": "g", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "call_1", "output": "42"},
        {"type": "function_call_output", "call_id": "call_2", "output": "43"}],
      "tools": [{"type": "function", "name": "f", "parameters": {"type": "object"}}, {"type": "web_search"}],
      "tool_choice": {"type": "function", "name": "f"}, "parallel_tool_calls": false})",
                                       Json::parse(R"([{"role":"user","content":"earlier"}])"));
    const Json& h = r.history;
    ASSERT_EQ(h.size(), 5u);
    EXPECT_EQ(h[0]["content"], "earlier");
    EXPECT_EQ(h[1]["content"], "a\nb");
    EXPECT_EQ(h[2]["role"], "assistant");
    EXPECT_EQ(h[2]["reasoning"], "think");
    EXPECT_EQ(h[2]["content"], "calling");
    ASSERT_EQ(h[2]["tool_calls"].size(), 2u);
    EXPECT_EQ(h[2]["tool_calls"][1]["function"]["name"], "g");
    EXPECT_EQ(h[3], Json::parse(R"({"role":"tool","tool_call_id":"call_1","content":"42"})"));
    EXPECT_EQ(r.conv.chat.tools.size(), 1u);
    EXPECT_EQ(r.conv.chat.tools[0]["function"]["name"], "f");
    EXPECT_EQ(r.echo["tools"].size(), 1u);
    EXPECT_EQ(r.conv.tool_choice.mode, ToolChoiceMode::NAMED);
    EXPECT_FALSE(r.conv.parallel_tool_calls);
}

TEST(ResponsesRequest, FormatAndEffort) {
    ResponsesRequest r = convert(R"({"input": "x", "text": {"format": {"type": "json_schema", "name": "n",
        "schema": {"type": "object"}}}, "reasoning": {"effort": "low"}})");
    EXPECT_EQ(r.conv.format.kind, OutputFormat::Kind::JSON_SCHEMA);
    EXPECT_EQ(r.conv.format.schema, Json::parse(R"({"type":"object"})"));
    EXPECT_EQ(r.conv.thinking_budget, 1024);
    EXPECT_EQ(r.conv.chat.template_kwargs["reasoning_effort"], "low");
    r = convert(
        R"({"input": "x", "text": {"format": {"type": "json_object"}}, "reasoning": {"effort": "none"}})");
    EXPECT_EQ(r.conv.format.kind, OutputFormat::Kind::JSON_OBJECT);
    EXPECT_EQ(r.conv.chat.template_kwargs["enable_thinking"], false);
    EXPECT_FALSE(r.conv.include_reasoning);
    r = convert(R"({"input": "x", "reasoning": {"effort": "high"}})");
    EXPECT_FALSE(r.conv.thinking_budget);
}

TEST(ResponsesRequest, TrailingIncompleteAssistantIsContinued) {
    ResponsesRequest r = convert(R"({"input": [{"role": "user", "content": "Count"},
        {"type": "message", "role": "assistant", "status": "incomplete", "content": [{"type": "output_text", "text": "1, 2,"}]}]})");
    EXPECT_TRUE(r.conv.chat.continue_final_message);
    EXPECT_FALSE(r.conv.chat.add_generation_prompt);
    r = convert(R"({"input": [{"role": "user", "content": "Count"},
        {"type": "message", "role": "assistant", "status": "completed", "content": "1, 2, 3"}]})");
    EXPECT_FALSE(r.conv.chat.continue_final_message);
    EXPECT_TRUE(r.conv.chat.add_generation_prompt);
}

TEST(ResponsesRequest, Rejections) {
    EXPECT_NE(
        error_of(R"({"input": [{"role": "user", "content": [{"type": "input_image", "image_url": "x"}]}]})")
            .find("not supported by this model"),
        std::string::npos);
    EXPECT_NE(error_of(R"({"input": [{"type": "reasoning", "encrypted_content": "abc", "summary": []}]})")
                  .find("encrypted"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"input": "x", "background": true})").find("background"), std::string::npos);
    EXPECT_NE(error_of(R"({"input": "x", "reasoning": {"effort": "huge"}})").find("effort"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"input": []})").find("input"), std::string::npos);
    EXPECT_NE(error_of(R"({})").find("input"), std::string::npos);
    EXPECT_NE(error_of(R"({"input": "x", "max_output_tokens": 0})").find("max_output_tokens"),
              std::string::npos);
}

// Agent clients replay histories with items of tools that do not run here (spec/lessons.md 23): they
// are left out, and the turn goes on with the rest.
TEST(ResponsesRequest, ItemsAndToolChoicesOfOtherToolsAreLeftOut) {
    ResponsesRequest r = convert(R"({"input": [{"role": "user", "content": "Find it"},
        {"type": "web_search_call", "id": "ws_1", "status": "completed", "action": {"type": "search", "query": "q"}},
        {"type": "custom_tool_call", "call_id": "c9", "name": "apply_patch", "input": "*** Begin Patch"},
        {"type": "custom_tool_call_output", "call_id": "c9", "output": "Done"},
        {"type": "item_reference", "id": "msg_1"},
        {"role": "user", "content": "And now?"}],
        "tools": [{"type": "function", "name": "f", "parameters": {"type": "object"}}],
        "tool_choice": {"type": "web_search_preview"}})");
    EXPECT_EQ(r.conv.chat.messages,
              Json::parse(R"([{"role":"user","content":"Find it"},{"role":"user","content":"And now?"}])"));
    EXPECT_EQ(r.conv.tool_choice.mode, ToolChoiceMode::AUTO);
    r = convert(
        R"({"input": "x", "tools": [{"type": "function", "name": "f", "parameters": {"type": "object"}}],
        "tool_choice": {"type": "allowed_tools", "mode": "required", "tools": [{"type": "function", "name": "f"}]}})");
    EXPECT_EQ(r.conv.tool_choice.mode, ToolChoiceMode::REQUIRED);
    EXPECT_NE(error_of(R"({"input": [{"id": "x"}]})").find("type"), std::string::npos);  // no type, no role
}

TEST(ResponsesRequest, OutputMessagesLeaveReasoningOut) {
    const Json out = output_messages(Json::parse(R"([
        {"type": "reasoning", "id": "rs_1", "content": [{"type": "reasoning_text", "text": "hidden"}]},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Hello"}]},
        {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"}])"));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0]["content"], "Hello");
    EXPECT_FALSE(out[0].contains("reasoning"));
    EXPECT_EQ(out[0]["tool_calls"][0]["id"], "c1");
}

}  // namespace
}  // namespace hy::api
