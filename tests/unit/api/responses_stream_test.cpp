// The Responses serializer against committed golden streams (issue 7, spec/api.md §5.3), and the
// response object folded from the same events.
#include "api/responses_stream.h"

#include <gtest/gtest.h>

#include <map>

#include "golden_util.h"

namespace hy::api {
namespace {

using golden::expect_golden;
using K = chat::DeltaKind;

ResponsesStream::IdGen counting_ids() {
    auto counts = std::make_shared<std::map<std::string, int>>();
    return [counts](std::string_view p) {
        const std::string prefix(p);
        return prefix + "_" + std::to_string((*counts)[prefix]++);
    };
}

OJson base() {
    return {{"id", "resp_test"},       {"object", "response"}, {"created_at", 1700000000},
            {"status", "in_progress"}, {"model", "tiny"},      {"output", OJson::array()},
            {"usage", nullptr}};
}

std::string run(ResponsesStream& s, const std::vector<ChoiceEvent>& evs) {
    std::string out = s.start();
    for (const auto& ev : evs) out += s.on_event(ev);
    return out + s.finish_event();
}

TEST(ResponsesStream, GoldenReasoningTextTwoToolCalls) {
    ResponsesStream s(base(), 25, counting_ids());
    expect_golden("responses_tool_calls.sse", run(s, golden::reasoning_text_two_calls()));
    expect_golden("responses_tool_calls.json", s.response().dump(2) + "\n");
}

TEST(ResponsesStream, SequenceNumbersCountFromZero) {
    ResponsesStream s(base(), 25, counting_ids());
    const std::string out = run(s, golden::reasoning_text_two_calls());
    int64_t expect = 0;
    for (size_t pos = 0; (pos = out.find("data: ", pos)) != std::string::npos; pos += 6) {
        const size_t end = out.find('\n', pos);
        const OJson e = OJson::parse(out.substr(pos + 6, end - pos - 6));
        EXPECT_EQ(e["sequence_number"], expect++);
    }
    EXPECT_GT(expect, 20);
}

TEST(ResponsesStream, FinalObjectOrderStatusUsage) {
    ResponsesStream s(base(), 25, counting_ids());
    run(s, golden::reasoning_text_two_calls());
    const OJson& r = s.response();
    EXPECT_EQ(r["status"], "completed");
    ASSERT_EQ(r["output"].size(), 4u);
    EXPECT_EQ(r["output"][0]["type"], "reasoning");
    EXPECT_EQ(r["output"][0]["content"][0]["text"], "The user wants weather and time.\n");
    EXPECT_EQ(r["output"][1]["content"][0]["text"], "Let me \"check\" both.\n\n");
    EXPECT_EQ(r["output"][2]["call_id"], "call_aaaaaaaaaaaaaaaaaaaaaaaa");
    EXPECT_EQ(r["output"][2]["arguments"], "{\"city\": \"Paris\", \"days\": 3}");
    EXPECT_EQ(r["output"][3]["name"], "get_time");
    EXPECT_EQ(r["usage"]["input_tokens"], 25);
    EXPECT_EQ(r["usage"]["output_tokens"], 21);
    EXPECT_EQ(r["usage"]["output_tokens_details"]["reasoning_tokens"], 8);
    EXPECT_EQ(r["usage"]["total_tokens"], 46);
}

TEST(ResponsesStream, LengthStopIsIncomplete) {
    ChoiceEvent a;
    a.deltas = {golden::text(K::CONTENT_TEXT, "cut")};
    a.finish = FinishReason::LENGTH;
    a.completion_tokens = 1;
    ResponsesStream s(base(), 3, counting_ids());
    const std::string out = run(s, {a});
    EXPECT_EQ(s.response()["status"], "incomplete");
    EXPECT_EQ(s.response()["incomplete_details"]["reason"], "max_output_tokens");
    EXPECT_EQ(s.response()["output"][0]["status"], "incomplete");
    EXPECT_NE(out.find("event: response.incomplete\n"), std::string::npos);
    EXPECT_EQ(out.find("event: response.completed\n"), std::string::npos);
}

// With logprobs asked for (include "message.output_text.logprobs"), each output_text delta carries the
// entries of the tokens of its step, and the finished part holds them all; reasoning steps carry none.
TEST(ResponsesStream, OutputTextLogprobsFollowTheirTokens) {
    auto entries = [](const std::vector<GeneratedToken>& tokens) {
        OJson out = OJson::array();
        for (const auto& t : tokens)
            out.push_back({{"token", std::to_string(t.token)}, {"logprob", t.logprob}});
        return out;
    };
    ChoiceEvent think, a, b;
    think.deltas = {golden::text(K::REASONING_TEXT, "hmm")};
    think.tokens = {{7, -0.5f, {}}};
    a.deltas = {golden::text(K::CONTENT_TEXT, "Hel")};
    a.tokens = {{1, -0.25f, {}}};
    b.deltas = {golden::text(K::CONTENT_TEXT, "lo")};
    b.tokens = {{2, -1.0f, {}}};
    b.finish = FinishReason::STOP;
    ResponsesStream s(base(), 3, counting_ids(), entries);
    const std::string out = run(s, {think, a, b});
    const OJson part = s.response()["output"][1]["content"][0];
    EXPECT_EQ(part["logprobs"],
              OJson::parse(R"([{"token":"1","logprob":-0.25},{"token":"2","logprob":-1.0}])"));
    EXPECT_NE(out.find(R"("delta":"Hel","logprobs":[{"token":"1","logprob":-0.25}])"), std::string::npos)
        << out;
    ResponsesStream plain(base(), 3, counting_ids());
    run(plain, {think, a, b});
    EXPECT_EQ(plain.response()["output"][1]["content"][0]["logprobs"], OJson::array());
}

TEST(ResponsesStream, NothingAfterTheFinish) {
    ChoiceEvent a;
    a.finish = FinishReason::STOP;
    ResponsesStream s(base(), 3, counting_ids());
    s.start();
    s.on_event(a);
    EXPECT_TRUE(s.finished());
    EXPECT_EQ(s.on_event(a), "");
    EXPECT_EQ(s.response()["output"], OJson::array());
}

}  // namespace
}  // namespace hy::api
