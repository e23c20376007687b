// Anthropic Messages request → Conversation (issue 7, spec/api.md §6.1).
#include "api/anthropic_request.h"

#include <gtest/gtest.h>

namespace hy::api {
namespace {

ServingContext context() {
    ServingContext ctx;
    ctx.served_names = {"tiny"};
    return ctx;
}

Conversation convert(const std::string& body, bool count_only = false) {
    const ServingContext ctx = context();
    return anthropic_conversation(Json::parse(body), ctx, count_only);
}

std::string error_of(const std::string& body, bool count_only = false) {
    try {
        convert(body, count_only);
    } catch (const Error& e) {
        EXPECT_EQ(e.http_status, 400);
        return e.what();
    }
    return "no error";
}

TEST(AnthropicRequest, SystemBlocksToolRoundTripAndThinking) {
    const Conversation c = convert(R"({
      "model": "tiny", "max_tokens": 100, "stop_sequences": ["END"], "temperature": 0.5, "top_k": 5,
      "system": [{"type": "text", "text": "x-anthropic-billing-header: abc"},
                 {"type": "text", "text": "You are "}, {"type": "text", "text": "terse."}],
      "metadata": {"user_id": "u1"},
      "messages": [
        {"role": "user", "content": "Weather?"},
        {"role": "assistant", "content": [
          {"type": "thinking", "thinking": "Need the tool.", "signature": "zzz"},
          {"type": "text", "text": "Checking."},
          {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}]},
        {"role": "user", "content": [
          {"type": "tool_result", "tool_use_id": "toolu_1", "content": [{"type": "text", "text": "sunny"}]},
          {"type": "tool_result", "tool_use_id": "toolu_2", "content": "boom", "is_error": true},
          {"type": "text", "text": "Thanks"}]}],
      "tools": [{"name": "get_weather", "description": "d", "input_schema": {"properties": {"city": {"type": "string"}}}}],
      "thinking": {"type": "enabled", "budget_tokens": 2048}})");
    const Json& m = c.chat.messages;
    ASSERT_EQ(m.size(), 6u);
    EXPECT_EQ(m[0], Json::parse(R"({"role":"system","content":"You are terse."})"));
    EXPECT_EQ(m[1], Json::parse(R"({"role":"user","content":"Weather?"})"));
    EXPECT_EQ(m[2]["content"], "Checking.");
    EXPECT_EQ(m[2]["reasoning"], "Need the tool.");
    EXPECT_EQ(m[2]["tool_calls"][0], Json::parse(R"({"id":"toolu_1","type":"function",
        "function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}})"));
    EXPECT_EQ(m[3], Json::parse(R"({"role":"tool","tool_call_id":"toolu_1","content":"sunny"})"));
    EXPECT_EQ(m[4]["content"], "Error: boom");
    EXPECT_EQ(m[5], Json::parse(R"({"role":"user","content":"Thanks"})"));
    EXPECT_EQ(c.chat.tools[0]["function"]["parameters"]["type"], "object");
    EXPECT_EQ(c.chat.tools[0]["function"]["description"], "d");
    EXPECT_EQ(c.tool_choice.mode, ToolChoiceMode::AUTO);
    EXPECT_EQ(c.chat.template_kwargs["enable_thinking"], true);
    EXPECT_EQ(c.thinking_budget, 2048);
    EXPECT_EQ(c.sampling.stop, std::vector<std::string>{"END"});
    EXPECT_EQ(c.sampling.params.top_k, 5);
    EXPECT_DOUBLE_EQ(c.sampling.params.temperature, 0.5);
    EXPECT_EQ(c.sampling.max_tokens, 100);
    EXPECT_TRUE(c.clamp_max_tokens);
}

TEST(AnthropicRequest, ThinkingDisabledAndToolChoices) {
    const std::string msgs = R"("messages": [{"role": "user", "content": "hi"}],
        "tools": [{"name": "f", "input_schema": {"type": "object"}},
                  {"type": "web_search_20250305", "name": "web_search"}])";
    Conversation c = convert(R"({"max_tokens": 5, "thinking": {"type": "disabled"}, )" + msgs + "}");
    EXPECT_EQ(c.chat.template_kwargs["enable_thinking"], false);
    EXPECT_EQ(c.chat.tools.size(), 1u);  // the server tool is left out
    c = convert(R"({"max_tokens": 5, "tool_choice": {"type": "any"}, )" + msgs + "}");
    EXPECT_EQ(c.tool_choice.mode, ToolChoiceMode::REQUIRED);
    c = convert(
        R"({"max_tokens": 5, "tool_choice": {"type": "tool", "name": "f", "disable_parallel_tool_use": true}, )" +
        msgs + "}");
    EXPECT_EQ(c.tool_choice.mode, ToolChoiceMode::NAMED);
    EXPECT_EQ(c.tool_choice.function_name, "f");
    EXPECT_FALSE(c.parallel_tool_calls);
    c = convert(R"({"max_tokens": 5, "tool_choice": {"type": "none"}, )" + msgs + "}");
    EXPECT_EQ(c.tool_choice.mode, ToolChoiceMode::NONE);
    EXPECT_NE(error_of(R"({"max_tokens": 5, "tool_choice": {"type": "tool"}, )" + msgs + "}")
                  .find("requires a name"),
              std::string::npos);
}

TEST(AnthropicRequest, Rejections) {
    EXPECT_NE(error_of(R"({"max_tokens": 5, "messages": [{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AA=="}}]}]})")
                  .find("images not supported by this model"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"messages": [{"role": "user", "content": "x"}]})").find("max_tokens"),
              std::string::npos);
    EXPECT_NE(
        error_of(R"({"max_tokens": 0, "messages": [{"role": "user", "content": "x"}]})").find("max_tokens"),
        std::string::npos);
    EXPECT_NE(error_of(R"({"max_tokens": 5, "messages": []})").find("messages"), std::string::npos);
    EXPECT_NE(error_of(R"({"max_tokens": 5, "messages": [{"role": "system", "content": "x"}]})").find("role"),
              std::string::npos);
    EXPECT_NE(
        error_of(
            R"({"max_tokens": 5, "messages": [{"role": "user", "content": "x"}], "thinking": {"type": "maybe"}})")
            .find("thinking.type"),
        std::string::npos);
    EXPECT_NE(
        error_of(R"({"max_tokens": 5, "temperature": -1, "messages": [{"role": "user", "content": "x"}]})")
            .find("temperature"),
        std::string::npos);
    try {
        convert(R"({"model": "other", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]})");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.http_status, 404);
    }
}

TEST(AnthropicRequest, CountTokensNeedsNoMaxTokens) {
    const Conversation c = convert(R"({"messages": [{"role": "user", "content": "x"}]})", true);
    EXPECT_EQ(c.chat.messages.size(), 1u);
}

}  // namespace
}  // namespace hy::api
