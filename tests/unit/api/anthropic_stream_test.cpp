// The Anthropic Messages serializer against committed golden streams (issue 7), and the folded
// message of the same events.
#include "api/anthropic_stream.h"

#include <gtest/gtest.h>

#include "api/anthropic_errors.h"
#include "api/ping_writer.h"
#include "golden_util.h"

namespace hy::api {
namespace {

using golden::expect_golden;
using K = chat::DeltaKind;

std::string run(AnthropicStream& s, const std::vector<ChoiceEvent>& evs) {
    std::string out = s.start();
    for (const auto& ev : evs) out += s.on_event(ev);
    return out;
}

TEST(AnthropicStream, GoldenReasoningTextTwoToolCalls) {
    AnthropicStream s("msg_test", "tiny", 25, "sig0");
    expect_golden("anthropic_tool_calls.sse", run(s, golden::reasoning_text_two_calls()));
    EXPECT_TRUE(s.finished());
    expect_golden("anthropic_tool_calls.json", s.message().dump(2) + "\n");
}

TEST(AnthropicStream, MessageOrderAndStopReason) {
    AnthropicStream s("msg_x", "m", 7, "sig");
    run(s, golden::reasoning_text_two_calls());
    const OJson m = s.message();
    ASSERT_EQ(m["content"].size(), 4u);
    EXPECT_EQ(m["content"][0]["type"], "thinking");
    EXPECT_EQ(m["content"][0]["thinking"], "The user wants weather and time.\n");
    EXPECT_EQ(m["content"][0]["signature"], "sig");
    EXPECT_EQ(m["content"][1]["text"], "Let me \"check\" both.\n\n");
    EXPECT_EQ(m["content"][2]["input"], OJson::parse(R"({"city":"Paris","days":3})"));
    EXPECT_EQ(m["content"][3]["name"], "get_time");
    EXPECT_EQ(m["stop_reason"], "tool_use");
    EXPECT_EQ(m["usage"]["input_tokens"], 7);
    EXPECT_EQ(m["usage"]["output_tokens"], 21);
}

// With --enable-prompt-tokens-details the prompt splits as Anthropic's contract has it: input_tokens
// + cache_read_input_tokens + cache_creation_input_tokens = the whole prompt.
TEST(AnthropicStream, UsageSplitsOffTheCachedPrefix) {
    ChoiceEvent ev;
    ev.deltas = {golden::text(K::CONTENT_TEXT, "hi")};
    ev.finish = FinishReason::STOP;
    ev.completion_tokens = 1;
    ev.cached_tokens = 5;
    AnthropicStream cached("m", "m", 7, "s", true);
    const std::string out = cached.on_event(ev);
    EXPECT_EQ(cached.message()["usage"], OJson::parse(R"({"input_tokens":2,"output_tokens":1,
        "cache_creation_input_tokens":0,"cache_read_input_tokens":5})"));
    EXPECT_NE(out.find(R"("cache_read_input_tokens":5)"), std::string::npos) << out;  // message_delta
    AnthropicStream plain("m", "m", 7, "s");
    plain.on_event(ev);
    EXPECT_EQ(plain.message()["usage"], OJson::parse(R"({"input_tokens":7,"output_tokens":1})"));
}

TEST(AnthropicStream, StopReasons) {
    auto finish = [](FinishReason f, std::string stop) {
        ChoiceEvent ev;
        ev.deltas = {golden::text(K::CONTENT_TEXT, "hi")};
        ev.finish = f;
        ev.stop_sequence = std::move(stop);
        AnthropicStream s("m", "m", 1, "s");
        s.on_event(ev);
        return s.message();
    };
    EXPECT_EQ(finish(FinishReason::STOP, "")["stop_reason"], "end_turn");
    EXPECT_EQ(finish(FinishReason::LENGTH, "")["stop_reason"], "max_tokens");
    const OJson m = finish(FinishReason::STOP, "END");
    EXPECT_EQ(m["stop_reason"], "stop_sequence");
    EXPECT_EQ(m["stop_sequence"], "END");
}

TEST(AnthropicStream, TextOnlyStreamHasOneBlockAndNoSignature) {
    ChoiceEvent a, b;
    a.deltas = {golden::text(K::CONTENT_TEXT, "Hel")};
    b.deltas = {golden::text(K::CONTENT_TEXT, "lo")};
    b.finish = FinishReason::STOP;
    b.completion_tokens = 2;
    AnthropicStream s("msg_1", "m", 3, "sig");
    const std::string out = run(s, {a, b});
    EXPECT_EQ(out.find("signature_delta"), std::string::npos);
    EXPECT_NE(out.find(R"("index":0,"content_block":{"type":"text","text":""})"), std::string::npos);
    EXPECT_EQ(out.find(R"("index":1)"), std::string::npos);
    EXPECT_NE(out.find("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"), std::string::npos);
    EXPECT_EQ(s.message()["content"], OJson::parse(R"([{"type":"text","text":"Hello"}])"));
}

TEST(AnthropicErrors, EnvelopeAndTypeNames) {
    const OJson e = anthropic_error_json(Error("bad thing", 400));
    EXPECT_EQ(e["type"], "error");
    EXPECT_EQ(e["error"]["type"], "invalid_request_error");
    EXPECT_EQ(e["error"]["message"], "bad thing");
    EXPECT_EQ(e["request_id"].get<std::string>().rfind("req_", 0), 0u);
    EXPECT_STREQ(anthropic_error_type(401), "authentication_error");
    EXPECT_STREQ(anthropic_error_type(404), "not_found_error");
    EXPECT_STREQ(anthropic_error_type(413), "request_too_large");
    EXPECT_STREQ(anthropic_error_type(429), "rate_limit_error");
    EXPECT_STREQ(anthropic_error_type(500), "api_error");
    EXPECT_STREQ(anthropic_error_type(529), "overloaded_error");
    EXPECT_EQ(anthropic_error_response(std::make_exception_ptr(std::runtime_error("x"))).status, 500);
}

struct Sink : BodyWriter {
    std::string data;
    bool write(std::string_view d) override {
        data += d;
        return true;
    }
    bool client_gone() override { return false; }
};

TEST(PingWriter, PingsOnlyAfterSilence) {
    Sink sink;
    PingWriter slow(sink, std::chrono::hours(1));
    slow.write("x");
    EXPECT_FALSE(slow.client_gone());
    EXPECT_EQ(sink.data, "x");
    PingWriter fast(sink, std::chrono::seconds(0));
    EXPECT_FALSE(fast.client_gone());
    EXPECT_EQ(sink.data, "xevent: ping\ndata: {\"type\":\"ping\"}\n\n");
}

}  // namespace
}  // namespace hy::api
