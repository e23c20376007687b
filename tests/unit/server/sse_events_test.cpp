// bench-serve's SSE reading (cli/sse_events.h): events split across reads, and the token / usage /
// done shapes of real completion chunks (ours and the OpenAI-style spacing).
#include "cli/sse_events.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hy::cli {
namespace {

TEST(SseEvents, SplitsEventsAcrossReadsAndSkipsComments) {
    SseSplitter s;
    std::vector<std::string> got;
    auto add = [&](std::string_view d) { got.emplace_back(d); };
    const std::string stream = ": keep-alive\n\ndata: {\"a\":1}\n\ndata: [DONE]\n\n";
    for (char c : stream) s.feed(&c, 1, add);  // one byte at a time
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0], "{\"a\":1}");
    EXPECT_EQ(got[1], "[DONE]");
    s.feed("data: {\"b\"", 10, add);  // an incomplete event waits for its blank line
    EXPECT_EQ(got.size(), 2u);
    s.feed(":2}\n\n", 5, add);
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[2], "{\"b\":2}");
}

TEST(SseEvents, TokenChunkUsageChunkAndDone) {
    const EventShape token = event_shape(
        R"({"id":"cmpl-1","object":"text_completion","created":1,"model":"m","choices":[{"index":0,"text":" a","logprobs":null,"finish_reason":null}],"usage":null})");
    EXPECT_TRUE(token.has_choice);
    EXPECT_FALSE(token.has_usage);
    EXPECT_FALSE(token.done);
    const EventShape usage = event_shape(
        R"({"id":"cmpl-1","object":"text_completion","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}})");
    EXPECT_FALSE(usage.has_choice);
    EXPECT_TRUE(usage.has_usage);
    EXPECT_TRUE(event_shape("[DONE]").done);
    // Spaced JSON (Python's json.dumps) and a token whose text spells a key.
    const EventShape spaced =
        event_shape(R"({"choices": [ {"index": 0, "text": "\"usage\": {\"choices\": []"}], "usage": null})");
    EXPECT_TRUE(spaced.has_choice);
    EXPECT_FALSE(spaced.has_usage);
    EXPECT_FALSE(event_shape(R"({"error":{"message":"x"}})").has_choice);
}

}  // namespace
}  // namespace hy::cli
