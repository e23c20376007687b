// Golden files for serializer tests (issue 7): the expected stream is committed under
// tests/data/golden/; HYSERVE_UPDATE_GOLDEN=1 rewrites it from the current output (review the diff).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "api/conversation.h"

namespace hy::api::golden {

inline void expect_golden(const std::string& name, const std::string& actual) {
    const std::string path = std::string(HYSERVE_TEST_DATA_DIR) + "/golden/" + name;
    if (const char* u = std::getenv("HYSERVE_UPDATE_GOLDEN"); u && std::string(u) == "1") {
        std::ofstream(path, std::ios::binary) << actual;
        return;
    }
    std::ifstream in(path, std::ios::binary);
    ASSERT_TRUE(in) << "missing golden file " << path << " (HYSERVE_UPDATE_GOLDEN=1 writes it)";
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(actual, ss.str()) << "differs from " << path;
}

inline chat::Delta text(chat::DeltaKind k, std::string t) {
    chat::Delta d;
    d.kind = k;
    d.text = std::move(t);
    return d;
}
inline chat::Delta call(chat::DeltaKind k, int index, std::string text = {}, std::string id = {},
                        std::string name = {}) {
    chat::Delta d;
    d.kind = k;
    d.index = index;
    d.text = std::move(text);
    d.id = std::move(id);
    d.name = std::move(name);
    return d;
}

// A fixed model output: reasoning, then text (one step holds both sides of the switch), then two
// tool calls, then the finish with running token counts.
inline std::vector<ChoiceEvent> reasoning_text_two_calls() {
    using K = chat::DeltaKind;
    std::vector<ChoiceEvent> evs(7);
    evs[0].deltas = {text(K::REASONING_TEXT, "The user wants")};
    evs[1].deltas = {text(K::REASONING_TEXT, " weather and time.")};
    evs[2].deltas = {text(K::REASONING_TEXT, "\n"), text(K::CONTENT_TEXT, "Let me \"check\"")};
    evs[3].deltas = {text(K::CONTENT_TEXT, " both.\n\n")};
    evs[4].deltas = {call(K::TOOL_CALL_BEGIN, 0, "", "call_aaaaaaaaaaaaaaaaaaaaaaaa", "get_weather"),
                     call(K::TOOL_CALL_ARGS, 0, "{")};
    evs[5].deltas = {call(K::TOOL_CALL_ARGS, 0, "\"city\": \"Paris\""),
                     call(K::TOOL_CALL_ARGS, 0, ", \"days\": 3"), call(K::TOOL_CALL_ARGS, 0, "}"),
                     call(K::TOOL_CALL_END, 0)};
    evs[6].deltas = {call(K::TOOL_CALL_BEGIN, 1, "", "call_bbbbbbbbbbbbbbbbbbbbbbbb", "get_time"),
                     call(K::TOOL_CALL_ARGS, 1, "{\"tz\": \"Europe/Paris\"}"), call(K::TOOL_CALL_END, 1)};
    for (size_t i = 0; i < evs.size(); ++i) {
        evs[i].completion_tokens = static_cast<int64_t>(3 * (i + 1));
        evs[i].reasoning_tokens = i < 3 ? static_cast<int64_t>(3 * (i + 1)) : 8;
    }
    evs.back().finish = FinishReason::STOP;
    evs.back().has_tool_calls = true;
    return evs;
}

}  // namespace hy::api::golden
