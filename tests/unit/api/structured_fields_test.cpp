// Request fields of issues 8/9 at the API edge: response_format / structured_outputs / guided_*
// into one OutputFormat (exactly one, else 400), compile errors as 400s naming the field, tool_choice
// parsing, and the tool-call deltas of tool_choice named/required.
#include <gtest/gtest.h>

#include "api/chat_conversation.h"
#include "api/structured_output.h"
#include "api/tool_call_output.h"
#include "core/error.h"
#include "engine/grammar/grammar_matcher.h"

namespace hy::api {
namespace {

using chat::DeltaKind;

Json body(const char* text) {
    return Json::parse(text);
}

int status_of(const std::function<void()>& fn, std::string* message = nullptr) {
    try {
        fn();
    } catch (const Error& e) {
        if (message) *message = e.what();
        return e.http_status;
    }
    return 200;
}

TEST(OutputFormat, EachFieldReadsToOneKind) {
    EXPECT_EQ(read_output_format(body("{}")).kind, OutputFormat::Kind::TEXT);
    EXPECT_EQ(read_output_format(body(R"({"response_format":{"type":"text"}})")).kind,
              OutputFormat::Kind::TEXT);
    EXPECT_EQ(read_output_format(body(R"({"response_format":{"type":"json_object"}})")).kind,
              OutputFormat::Kind::JSON_OBJECT);
    auto f = read_output_format(body(
        R"({"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"integer"}}}})"));
    EXPECT_EQ(f.kind, OutputFormat::Kind::JSON_SCHEMA);
    EXPECT_EQ(f.schema["type"], "integer");
    EXPECT_EQ(read_output_format(body(R"({"structured_outputs":{"regex":"a+"}})")).text, "a+");
    EXPECT_EQ(read_output_format(body(R"({"structured_outputs":{"choice":["a","b"]}})")).choices.size(), 2u);
    EXPECT_EQ(read_output_format(body(R"({"structured_outputs":{"json_object":true}})")).kind,
              OutputFormat::Kind::JSON_OBJECT);
    EXPECT_EQ(read_output_format(body(R"({"guided_json":"{\"type\":\"string\"}"})")).schema["type"],
              "string");
    EXPECT_EQ(read_output_format(body(R"({"guided_grammar":"root ::= \"x\""})")).kind,
              OutputFormat::Kind::GRAMMAR);
    EXPECT_EQ(read_output_format(body(R"({"guided_choice":["x"],"guided_whitespace_pattern":" *"})"))
                  .whitespace_pattern,
              " *");
}

// JSON whitespace as vLLM allows it by default (bounded); disable_any_whitespace or an explicit
// pattern chooses otherwise.
TEST(OutputFormat, JsonAllowsBoundedWhitespaceUnlessDisabled) {
    auto accepts = [](const char* request, const std::string& text) {
        grammar::GrammarMatcher m(compile_output_format(read_output_format(body(request))), nullptr);
        return m.accept_bytes(text) && m.can_end();
    };
    const char* object = R"({"response_format":{"type":"json_object"}})";
    EXPECT_TRUE(accepts(object, R"({"name":"Tara","age":99})"));
    EXPECT_TRUE(accepts(object, R"({"name": "Tara", "age": 99})"));
    EXPECT_TRUE(accepts(object, "{\n  \"a\": [1, 2]\n}"));
    EXPECT_TRUE(accepts(object, "\n{\"a\": 1}"));  // "</think>\n{": the newline may lead the value
    EXPECT_FALSE(accepts(object, "{" + std::string(41, ' ') + "}"));  // 20 after "{", 20 before "}"
    const char* compact = R"({"structured_outputs":{"json_object":true,"disable_any_whitespace":true}})";
    EXPECT_TRUE(accepts(compact, R"({"a":1})"));
    EXPECT_FALSE(accepts(compact, R"({"a": 1})"));
    EXPECT_FALSE(accepts(compact, "\n{\"a\":1}"));
    const char* pattern = R"({"structured_outputs":{"json":{"type":"object"},"whitespace_pattern":" ?",
        "disable_any_whitespace":true}})";
    EXPECT_TRUE(accepts(pattern, R"({"a": 1})"));
    EXPECT_EQ(status_of([] {
                  read_output_format(
                      body(R"({"structured_outputs":{"json_object":true,"disable_any_whitespace":3}})"));
              }),
              400);
}

TEST(OutputFormat, NotExactlyOneIs400) {
    EXPECT_EQ(status_of([] { read_output_format(body(R"({"structured_outputs":{}})")); }), 400);
    EXPECT_EQ(
        status_of([] { read_output_format(body(R"({"structured_outputs":{"regex":"a","choice":["b"]}})")); }),
        400);
    EXPECT_EQ(status_of([] {
                  read_output_format(body(
                      R"({"structured_outputs":{"regex":"a"},"response_format":{"type":"json_object"}})"));
              }),
              400);
    EXPECT_EQ(status_of([] { read_output_format(body(R"({"response_format":{"type":"json_schema"}})")); }),
              400);
    EXPECT_EQ(status_of([] { read_output_format(body(R"({"response_format":{"type":"xml"}})")); }), 400);
    EXPECT_EQ(status_of([] { read_output_format(body(R"({"guided_choice":[]})")); }), 400);
}

TEST(OutputFormat, UncompilableSchemaIs400NamingFieldAndFeature) {
    auto f = read_output_format(body(
        R"({"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"number","multipleOf":3}}}})"));
    std::string msg;
    EXPECT_EQ(status_of([&] { compile_output_format(f); }, &msg), 400);
    EXPECT_NE(msg.find("response_format"), std::string::npos) << msg;
    EXPECT_NE(msg.find("multipleOf"), std::string::npos) << msg;
    auto g = read_output_format(body(R"({"structured_outputs":{"grammar":"root ::= ("}})"));
    EXPECT_EQ(status_of([&] { compile_output_format(g); }, &msg), 400);
    EXPECT_NE(msg.find("structured_outputs.grammar"), std::string::npos) << msg;
}

TEST(OutputFormat, SameSchemaCompilesOnce) {
    auto f = read_output_format(
        body(R"({"guided_json":{"type":"object","properties":{"q":{"type":"integer"}}}})"));
    EXPECT_EQ(compile_output_format(f).get(), compile_output_format(f).get());
}

TEST(ToolChoiceField, Modes) {
    EXPECT_EQ(read_tool_choice(body("{}"), true).mode, ToolChoiceMode::AUTO);
    EXPECT_EQ(read_tool_choice(body("{}"), false).mode, ToolChoiceMode::NONE);
    EXPECT_EQ(read_tool_choice(body(R"({"tool_choice":"required"})"), true).mode, ToolChoiceMode::REQUIRED);
    EXPECT_EQ(read_tool_choice(body(R"({"tool_choice":"none"})"), true).mode, ToolChoiceMode::NONE);
    auto named =
        read_tool_choice(body(R"({"tool_choice":{"type":"function","function":{"name":"f"}}})"), true);
    EXPECT_EQ(named.mode, ToolChoiceMode::NAMED);
    EXPECT_EQ(named.function_name, "f");
    EXPECT_EQ(status_of([] { read_tool_choice(body(R"({"tool_choice":"sometimes"})"), true); }), 400);
    EXPECT_EQ(status_of([] { read_tool_choice(body(R"({"tool_choice":{"type":"function"}})"), true); }), 400);
}

TEST(ToolChoiceGrammar, UnknownNamedFunctionIs400) {
    ToolChoice tc{ToolChoiceMode::NAMED, "nope"};
    EXPECT_EQ(status_of([&] {
                  compile_tool_choice(tc, body(R"([{"type":"function","function":{"name":"f"}}])"), true);
              }),
              400);
}

// A tool whose parameters use $defs and recursion: inside the required list the pointers are rewritten.
TEST(ToolChoiceGrammar, RequiredListKeepsEachToolsRefs) {
    const Json tools = body(R"([{"type":"function","function":{"name":"t","parameters":{"type":"object",
        "properties":{"tree":{"$ref":"#/$defs/node"}},"required":["tree"],"additionalProperties":false,
        "$defs":{"node":{"type":"object","properties":{"v":{"type":"integer"},
        "kids":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["v"],"additionalProperties":false}}}}},
        {"type":"function","function":{"name":"u","parameters":{"type":"object","properties":{"n":{"type":"integer"}},
        "required":["n"],"additionalProperties":false}}}])");
    auto g = compile_tool_choice({ToolChoiceMode::REQUIRED, ""}, tools, true);
    auto accepts = [&](const std::string& text) {
        grammar::GrammarMatcher m(g, nullptr);
        return m.accept_bytes(text) && m.can_end();
    };
    EXPECT_TRUE(
        accepts(R"([{"name":"t","parameters":{"tree":{"kids":[{"v":2},{"kids":[],"v":3}],"v":1}}}])"));
    EXPECT_TRUE(accepts(R"([{"name":"u","parameters":{"n":5}},{"name":"t","parameters":{"tree":{"v":0}}}])"));
    EXPECT_FALSE(accepts(R"([{"name":"t","parameters":{"tree":{"kids":[{}],"v":1}}}])"));
    EXPECT_FALSE(accepts(R"([{"name":"u","parameters":{"tree":{"v":1}}}])"));
    EXPECT_FALSE(accepts("[]"));
}

chat::Delta text(DeltaKind k, std::string t) {
    return {k, std::move(t), -1, "", ""};
}

chat::ParsedMessage fold(const std::vector<chat::Delta>& ds) {
    chat::ParsedMessage m;
    m.apply(ds);
    return m;
}

TEST(ToolCallOutput, NamedStreamsTheAnswerAsArguments) {
    ToolCallOutput out({ToolChoiceMode::NAMED, "get"}, {}, true);
    std::vector<chat::Delta> all;
    auto a = out.convert({text(DeltaKind::REASONING_TEXT, "hmm")}, false);
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].kind, DeltaKind::REASONING_TEXT);
    auto b = out.convert({text(DeltaKind::CONTENT_TEXT, "{\"x\":")}, false);
    ASSERT_EQ(b.size(), 2u);
    EXPECT_EQ(b[0].kind, DeltaKind::TOOL_CALL_BEGIN);
    EXPECT_EQ(b[0].name, "get");
    EXPECT_EQ(b[0].id.rfind("call_", 0), 0u);
    auto c = out.convert({text(DeltaKind::CONTENT_TEXT, "1}")}, true);
    ASSERT_EQ(c.size(), 2u);
    EXPECT_EQ(c[1].kind, DeltaKind::TOOL_CALL_END);
    all.insert(all.end(), b.begin(), b.end());
    all.insert(all.end(), c.begin(), c.end());
    auto m = fold(all);
    ASSERT_EQ(m.tool_calls.size(), 1u);
    EXPECT_EQ(m.tool_calls[0].arguments_json, "{\"x\":1}");
    EXPECT_EQ(m.content, "");
}

TEST(ToolCallOutput, RequiredTurnsTheListIntoCalls) {
    ToolCallOutput out({ToolChoiceMode::REQUIRED, ""}, {}, true);
    EXPECT_TRUE(
        out.convert({text(DeltaKind::CONTENT_TEXT, "[{\"name\":\"a\",\"parameters\":{\"k\":\"é\",")}, false)
            .empty());
    auto d =
        out.convert({text(DeltaKind::CONTENT_TEXT, "\"n\":2}},{\"name\":\"b\",\"parameters\":{}}]")}, true);
    auto m = fold(d);
    ASSERT_EQ(m.tool_calls.size(), 2u);
    EXPECT_EQ(m.tool_calls[0].name, "a");
    EXPECT_EQ(m.tool_calls[0].arguments_json, "{\"k\": \"é\", \"n\": 2}");  // json.dumps form
    EXPECT_EQ(m.tool_calls[1].name, "b");
    EXPECT_EQ(m.tool_calls[1].arguments_json, "{}");
    EXPECT_NE(m.tool_calls[0].id, m.tool_calls[1].id);
}

TEST(ToolCallOutput, RequiredCallsStreamAsTheirItemsClose) {
    ToolCallOutput out({ToolChoiceMode::REQUIRED, ""}, {}, true);
    auto a =
        out.convert({text(DeltaKind::CONTENT_TEXT, R"([{"name":"a","parameters":{"s":"}]{\"x"}})")}, false);
    ASSERT_EQ(a.size(), 3u);  // the first item closed: its call goes out before the list ends
    EXPECT_EQ(a[1].text, R"({"s": "}]{\"x"})");
    auto b =
        out.convert({text(DeltaKind::CONTENT_TEXT, R"(,{"name":"b","parameters":{"t":[1,{}]}}])")}, true);
    ASSERT_EQ(b.size(), 3u);
    EXPECT_EQ(b[0].index, 1);
    EXPECT_EQ(b[1].text, R"({"t": [1, {}]})");
}

TEST(ToolCallOutput, RequiredWithoutParallelKeepsTheFirst) {
    ToolCallOutput out({ToolChoiceMode::REQUIRED, ""}, {}, false);
    auto m =
        fold(out.convert({text(DeltaKind::CONTENT_TEXT,
                               "[{\"name\":\"a\",\"parameters\":{}},{\"name\":\"b\",\"parameters\":{}}]")},
                         true));
    ASSERT_EQ(m.tool_calls.size(), 1u);
    EXPECT_EQ(m.tool_calls[0].name, "a");
}

TEST(ToolCallOutput, CutOffListStaysContent) {
    ToolCallOutput out({ToolChoiceMode::REQUIRED, ""}, {}, true);
    auto m = fold(out.convert({text(DeltaKind::CONTENT_TEXT, "[{\"name\":\"a\",\"para")}, true));
    EXPECT_TRUE(m.tool_calls.empty());
    EXPECT_EQ(m.content, "[{\"name\":\"a\",\"para");
}

}  // namespace
}  // namespace hy::api
