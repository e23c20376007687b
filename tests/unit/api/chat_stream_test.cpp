// The Chat Completions serializer against committed golden streams (issue 7: the three serializers
// turn the same fixed output — reasoning, text, two tool calls — into committed expected streams).
#include "api/chat_stream.h"

#include <gtest/gtest.h>

#include "golden_util.h"

namespace hy::api {
namespace {

const ChatChunkHeader kHeader{"chatcmpl-golden", 1700000000, "nemotron-test"};

std::string stream_of(const std::vector<ChoiceEvent>& events, const ChatToolPolicy& policy) {
    std::string out;
    for (const OJson& ch : chat_opening_chunks(kHeader, 1, "")) out += sse(ch);
    for (const ChoiceEvent& ev : events)
        for (const OJson& ch : chat_event_chunks(kHeader, ev, policy, false, nullptr)) out += sse(ch);
    out += kSseDone;
    return out;
}

TEST(ChatStream, GoldenReasoningTextTwoToolCalls) {
    const auto events = golden::reasoning_text_two_calls();
    golden::expect_golden("chat_tool_calls.sse", stream_of(events, {}));
    chat::ParsedMessage msg;
    for (const auto& ev : events) msg.apply(ev.deltas);
    golden::expect_golden("chat_tool_calls.json", chat_message_json(msg, "", true, {}).dump(2) + "\n");
}

TEST(ChatStream, ToolCallsFinishUnlessNamedOrCutByLength) {
    ChatToolPolicy named;
    named.named_tool = true;
    EXPECT_EQ(chat_finish_reason(FinishReason::STOP, true, {}), "tool_calls");
    EXPECT_EQ(chat_finish_reason(FinishReason::STOP, true, named), "stop");
    EXPECT_EQ(chat_finish_reason(FinishReason::LENGTH, true, {}), "length");
    EXPECT_EQ(chat_finish_reason(FinishReason::STOP, false, {}), "stop");
}

TEST(ChatStream, EmptyStepsSendNothingAndTheFinishRidesTheLastChunk) {
    ChoiceEvent quiet;
    EXPECT_TRUE(chat_event_chunks(kHeader, quiet, {}, false, nullptr).empty());
    ChoiceEvent last;
    last.deltas = {golden::text(chat::DeltaKind::CONTENT_TEXT, "ok")};
    last.finish = FinishReason::LENGTH;
    const auto chunks = chat_event_chunks(kHeader, last, {}, false, nullptr);
    ASSERT_EQ(chunks.size(), 1u);
    EXPECT_EQ(chunks[0]["choices"][0]["delta"]["content"], "ok");
    EXPECT_EQ(chunks[0]["choices"][0]["finish_reason"], "length");
}

TEST(ChatStream, ReasoningIsDroppedWhenNotIncludedAndContentIsEmptyForForcedTools) {
    chat::ParsedMessage msg;
    msg.reasoning = "thinking";
    ChatToolPolicy forced;
    forced.forced_tools = true;
    const OJson m = chat_message_json(msg, "", false, forced);
    EXPECT_TRUE(m["reasoning"].is_null());
    EXPECT_EQ(m["content"], "");
    EXPECT_TRUE(chat_message_json(msg, "", true, {})["content"].is_null());
}

}  // namespace
}  // namespace hy::api
