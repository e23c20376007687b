// Output parser (spec/api.md 3.4, 3.5, 8.2, 8.4): the hand-written corpus in
// tests/data/output_parser/corpus.json, parsed in one piece, split at every byte offset, fed one
// byte at a time and split at token-like boundaries; every way must fold to the same message and
// produce a well-formed delta sequence.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "chat/output/output_parser.h"

namespace hy::chat {
namespace {

using Pieces = std::vector<std::string>;

struct Case {
    std::string name;
    std::string text;
    ReasoningPhase start = ReasoningPhase::IN_CONTENT;
    OutputParserOptions options;
    nlohmann::ordered_json expected;
};

std::vector<Case> load_corpus() {
    std::ifstream in(std::string(HYSERVE_TEST_DATA_DIR) + "/output_parser/corpus.json");
    auto doc = nlohmann::ordered_json::parse(in);
    std::vector<Case> out;
    for (const auto& c : doc["cases"]) {
        Case k;
        k.name = c["name"];
        k.text = c["text"];
        k.start = c["start"] == "reasoning" ? ReasoningPhase::IN_REASONING : ReasoningPhase::IN_CONTENT;
        const std::string tools = c["tools"];
        if (tools != "empty") k.options.tools = tool_specs_from_json(doc["tool_sets"]["all"]);
        k.options.parse_tool_calls = tools != "none";
        k.options.parallel_tool_calls = c["parallel_tool_calls"];
        k.expected = c["expected"];
        out.push_back(std::move(k));
    }
    return out;
}

// Checks the stream's shape: calls begin with dense indices, arguments only for the open call,
// every call ends, no empty text. Returns a description of the first problem, or "".
std::string check_deltas(const std::vector<Delta>& ds) {
    int next = 0, open = -1;
    for (const auto& d : ds) {
        switch (d.kind) {
            case DeltaKind::REASONING_TEXT:
            case DeltaKind::CONTENT_TEXT:
                if (d.text.empty()) return "empty text delta";
                if (open >= 0) return "text while call " + std::to_string(open) + " is open";
                break;
            case DeltaKind::TOOL_CALL_BEGIN:
                if (open >= 0) return "BEGIN while a call is open";
                if (d.index != next)
                    return "BEGIN index " + std::to_string(d.index) + " != " + std::to_string(next);
                if (d.id.empty() || d.name.empty()) return "BEGIN without id or name";
                open = next++;
                break;
            case DeltaKind::TOOL_CALL_ARGS:
                if (d.index != open) return "ARGS for call " + std::to_string(d.index) + " not open";
                if (d.text.empty()) return "empty ARGS";
                break;
            case DeltaKind::TOOL_CALL_END:
                if (d.index != open) return "END for call not open";
                open = -1;
                break;
        }
    }
    return open >= 0 ? "call never ended" : "";
}

struct StreamRun {
    ParsedMessage msg;
    std::vector<Delta> deltas;
};

StreamRun run_pieces(const Case& c, const Pieces& pieces) {
    OutputParserOptions options = c.options;
    auto counter = std::make_shared<int>(0);
    options.make_call_id = [counter] { return "call_" + std::to_string((*counter)++); };
    OutputParser parser(options, std::make_shared<ReasoningState>(c.start));
    StreamRun r;
    for (const auto& p : pieces) {
        auto ds = parser.feed(p);
        r.deltas.insert(r.deltas.end(), ds.begin(), ds.end());
    }
    auto ds = parser.finish();
    r.deltas.insert(r.deltas.end(), ds.begin(), ds.end());
    r.msg.apply(r.deltas);
    return r;
}

// Token-like pieces: every marker alone (they are single tokens, model.md 8.1), the text between
// them cut every 3 bytes.
Pieces token_pieces(const std::string& text) {
    static const char* const kMarkers[] = {"<think>",    "</think>",    "<tool_call>", "</tool_call>",
                                           "<function=", "</function>", "<parameter=", "</parameter>"};
    Pieces out;
    std::string run;
    auto cut = [&] {
        for (std::size_t i = 0; i < run.size(); i += 3) out.push_back(run.substr(i, 3));
        run.clear();
    };
    for (std::size_t pos = 0; pos < text.size();) {
        std::string_view rest = std::string_view(text).substr(pos);
        const char* hit = nullptr;
        for (const char* m : kMarkers)
            if (rest.starts_with(m)) hit = m;
        if (hit) {
            cut();
            out.emplace_back(hit);
            pos += std::string_view(hit).size();
        } else {
            run += text[pos++];
        }
    }
    cut();
    return out;
}

bool is_call_id(const std::string& id) {
    if (id.size() != 29 || !id.starts_with("call_")) return false;
    return id.find_first_not_of("0123456789abcdef", 5) == std::string::npos;
}

class OutputCorpus : public ::testing::Test {
  protected:
    static const std::vector<Case>& cases() {
        static const std::vector<Case> all = load_corpus();
        return all;
    }
};

TEST_F(OutputCorpus, HasEnoughCases) {
    EXPECT_GE(cases().size(), 60u);
}

TEST_F(OutputCorpus, WholeTextMatchesHandWrittenExpectation) {
    for (const auto& c : cases()) {
        SCOPED_TRACE(c.name);
        StreamRun r = run_pieces(c, {c.text});
        EXPECT_EQ(check_deltas(r.deltas), "");
        EXPECT_EQ(r.msg.reasoning, c.expected["reasoning"].get<std::string>());
        EXPECT_EQ(r.msg.content, c.expected["content"].get<std::string>());
        const auto& calls = c.expected["tool_calls"];
        ASSERT_EQ(r.msg.tool_calls.size(), calls.size());
        for (std::size_t i = 0; i < calls.size(); ++i) {
            EXPECT_EQ(r.msg.tool_calls[i].name, calls[i]["name"].get<std::string>());
            EXPECT_EQ(r.msg.tool_calls[i].arguments_json, calls[i]["arguments"].get<std::string>());
            EXPECT_TRUE(nlohmann::json::parse(r.msg.tool_calls[i].arguments_json).is_object());
        }
        // parse_output is the same fold.
        OutputParserOptions options = c.options;
        int n = 0;
        options.make_call_id = [&n] { return "call_" + std::to_string(n++); };
        EXPECT_EQ(parse_output(c.text, options, c.start), r.msg);
    }
}

TEST_F(OutputCorpus, EveryTwoPieceSplitFoldsTheSame) {
    for (const auto& c : cases()) {
        SCOPED_TRACE(c.name);
        const ParsedMessage whole = run_pieces(c, {c.text}).msg;
        for (std::size_t k = 0; k <= c.text.size(); ++k) {
            StreamRun r = run_pieces(c, {c.text.substr(0, k), c.text.substr(k)});
            ASSERT_EQ(r.msg, whole) << "split at " << k;
            ASSERT_EQ(check_deltas(r.deltas), "") << "split at " << k;
        }
    }
}

TEST_F(OutputCorpus, OneByteAtATimeAndTokenPiecesFoldTheSame) {
    for (const auto& c : cases()) {
        SCOPED_TRACE(c.name);
        const ParsedMessage whole = run_pieces(c, {c.text}).msg;
        Pieces bytes;
        for (char ch : c.text) bytes.emplace_back(1, ch);
        StreamRun r = run_pieces(c, bytes);
        EXPECT_EQ(r.msg, whole);
        EXPECT_EQ(check_deltas(r.deltas), "");
        StreamRun t = run_pieces(c, token_pieces(c.text));
        EXPECT_EQ(t.msg, whole);
        EXPECT_EQ(check_deltas(t.deltas), "");
    }
}

// Random marker soup (seeded): every split of every string must fold like the whole string and
// give a well-formed delta stream, whatever the markup does.
TEST_F(OutputCorpus, RandomMarkupSoupFoldsTheSameAtEverySplit) {
    static const char* const kParts[] = {"<think>",
                                         "</think>",
                                         "<tool_call>",
                                         "</tool_call>",
                                         "<function=get_weather>",
                                         "<function=nope>",
                                         "<function=",
                                         "</function>",
                                         "<parameter=city>",
                                         "<parameter=days>",
                                         "</parameter>",
                                         "<parameter=",
                                         "\n",
                                         "\n\n",
                                         " ",
                                         "<",
                                         ">",
                                         "</",
                                         "<tool_",
                                         "</thi",
                                         "Paris",
                                         "3",
                                         "x",
                                         "é😀",
                                         "{'a': 1}",
                                         "null"};
    const Case& base = cases().front();
    std::mt19937 rng(12345);
    for (int n = 0; n < 300; ++n) {
        std::string text;
        const int len = int(rng() % 24);
        for (int i = 0; i < len; ++i) text += kParts[rng() % std::size(kParts)];
        for (bool reasoning : {false, true}) {
            Case c = base;
            c.text = text;
            c.start = reasoning ? ReasoningPhase::IN_REASONING : ReasoningPhase::IN_CONTENT;
            c.options.parallel_tool_calls = (n % 3) != 0;
            c.options.parse_tool_calls = (n % 5) != 0;
            SCOPED_TRACE(text);
            const StreamRun whole = run_pieces(c, {text});
            ASSERT_EQ(check_deltas(whole.deltas), "");
            for (const auto& call : whole.msg.tool_calls)
                ASSERT_TRUE(nlohmann::json::parse(call.arguments_json).is_object()) << call.arguments_json;
            for (std::size_t k = 0; k <= text.size(); ++k) {
                StreamRun r = run_pieces(c, {text.substr(0, k), text.substr(k)});
                ASSERT_EQ(r.msg, whole.msg) << "split at " << k;
                ASSERT_EQ(check_deltas(r.deltas), "") << "split at " << k;
            }
            Pieces bytes;
            for (char ch : text) bytes.emplace_back(1, ch);
            ASSERT_EQ(run_pieces(c, bytes).msg, whole.msg);
        }
    }
}

OutputParserOptions weather_options() {
    OutputParserOptions o;
    o.tools = tool_specs_from_json(nlohmann::ordered_json::parse(R"([{"type":"function","function":{
        "name":"get_weather","parameters":{"type":"object","properties":{
        "city":{"type":"string"},"days":{"type":"integer"}}}}}])"));
    return o;
}

TEST(OutputParser, StreamsArgumentsAsEachParameterCompletes) {
    // api.md 3.5: header, "{", one fragment per parameter, "}".
    OutputParser p(weather_options(), std::make_shared<ReasoningState>(ReasoningPhase::IN_CONTENT));
    std::vector<Delta> ds = p.feed("<tool_call>\n<function=get_weather>\n");
    ASSERT_EQ(ds.size(), 2u);
    EXPECT_EQ(ds[0].kind, DeltaKind::TOOL_CALL_BEGIN);
    EXPECT_EQ(ds[0].name, "get_weather");
    EXPECT_TRUE(is_call_id(ds[0].id)) << ds[0].id;
    EXPECT_EQ(ds[1].text, "{");
    EXPECT_TRUE(p.feed("<parameter=city>\nPar").empty());
    ds = p.feed("is\n</parameter>\n");
    ASSERT_EQ(ds.size(), 1u);
    EXPECT_EQ(ds[0].text, "\"city\": \"Paris\"");
    ds = p.feed("<parameter=days>\n3\n</parameter>\n</function>\n</tool_call>");
    ASSERT_EQ(ds.size(), 2u);
    EXPECT_EQ(ds[0].text, ", \"days\": 3}");
    EXPECT_EQ(ds[1].kind, DeltaKind::TOOL_CALL_END);
    EXPECT_TRUE(p.finish().empty());
    EXPECT_TRUE(p.feed("late").empty());
}

TEST(OutputParser, HoldsBackPartialMarkersOnly) {
    auto state = std::make_shared<ReasoningState>(ReasoningPhase::IN_REASONING);
    OutputParser p(weather_options(), state);
    auto ds = p.feed("abc</thi");
    ASSERT_EQ(ds.size(), 1u);
    EXPECT_EQ(ds[0].text, "abc");
    EXPECT_TRUE(state->in_reasoning());
    ds = p.feed("nk>\nHi");
    ASSERT_EQ(ds.size(), 1u);
    EXPECT_EQ(ds[0].kind, DeltaKind::CONTENT_TEXT);
    EXPECT_EQ(ds[0].text, "Hi");
    EXPECT_EQ(state->phase(), ReasoningPhase::IN_CONTENT);
}

// `--reasoning-parser none` (vLLM without a reasoning parser): the think markers are content text,
// at the start of the output and later; tool calls are still parsed.
TEST(OutputParser, ReasoningParserOffKeepsThinkMarkersAsContent) {
    OutputParserOptions options = weather_options();
    options.parse_reasoning = false;
    for (bool one_piece : {true, false}) {
        auto state = std::make_shared<ReasoningState>(ReasoningPhase::IN_CONTENT);
        OutputParser p(options, state);
        const std::string text = "<think>\nhmm</think>\nIt is sunny.";
        std::vector<Delta> ds;
        if (one_piece) {
            ds = p.feed(text);
        } else {
            for (char c : text) {
                auto d = p.feed(std::string(1, c));
                ds.insert(ds.end(), d.begin(), d.end());
            }
        }
        auto tail = p.finish();
        ds.insert(ds.end(), tail.begin(), tail.end());
        ParsedMessage msg;
        msg.apply(ds);
        EXPECT_EQ(msg.content, text);
        EXPECT_TRUE(msg.reasoning.empty());
        EXPECT_FALSE(state->in_reasoning());
    }
}

TEST(OutputParser, ToolCallInsideReasoningEndsTheSharedState) {
    auto state = std::make_shared<ReasoningState>(ReasoningPhase::IN_REASONING);
    OutputParser p(weather_options(), state);
    p.feed("hmm <tool_call>");
    EXPECT_TRUE(state->in_reasoning());  // undecided until the function is known
    p.feed("<function=get_weather>");
    EXPECT_EQ(state->phase(), ReasoningPhase::IN_CONTENT);
}

TEST(OutputParser, UnknownFunctionWarnsAndKeepsText) {
    std::vector<std::string> logged;
    OutputParserOptions o = weather_options();
    o.on_warning = [&](const std::string& m) { logged.push_back(m); };
    std::vector<std::string> warnings;
    auto msg = parse_output("<tool_call><function=rm>x</function></tool_call>", o, ReasoningPhase::IN_CONTENT,
                            &warnings);
    EXPECT_EQ(msg.content, "<tool_call><function=rm>x</function></tool_call>");
    EXPECT_TRUE(msg.tool_calls.empty());
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("unknown function 'rm'"), std::string::npos);
    EXPECT_EQ(logged, warnings);
}

TEST(OutputParser, LargeAndHostileInputDoesNotThrow) {
    std::string text;
    for (int i = 0; i < 2000; ++i) text += "<tool_call><function=get_weather><parameter=days>[[[[{'";
    text += std::string(100000, '[');
    EXPECT_NO_THROW(parse_output(text, weather_options(), ReasoningPhase::IN_REASONING));
    std::string junk;
    for (int i = 0; i < 256; ++i) junk += char(i);
    EXPECT_NO_THROW(parse_output(junk + "</think>" + junk, weather_options(), ReasoningPhase::IN_REASONING));
}

TEST(ReasoningState, StartPhaseFromPrompt) {
    EXPECT_EQ(reasoning_phase_from_prompt("<|im_start|>assistant\n<think>\n"), ReasoningPhase::IN_REASONING);
    EXPECT_EQ(reasoning_phase_from_prompt("<|im_start|>assistant\n<think></think>"),
              ReasoningPhase::IN_CONTENT);
    EXPECT_EQ(reasoning_phase_from_prompt("<think>a</think>b<|im_start|>assistant\n<think>\n"),
              ReasoningPhase::IN_REASONING);
    EXPECT_EQ(reasoning_phase_from_prompt("no markers"), ReasoningPhase::IN_CONTENT);
    const std::int32_t ids[] = {5, 12, 7, 13, 9};
    EXPECT_EQ(reasoning_phase_from_prompt_ids(ids, 12, 13), ReasoningPhase::IN_CONTENT);
    EXPECT_EQ(reasoning_phase_from_prompt_ids(std::span(ids, 3), 12, 13), ReasoningPhase::IN_REASONING);
}

TEST(ReasoningState, TokensCountInsideThinkSpanOnly) {
    ReasoningState s(ReasoningPhase::IN_REASONING);
    for (int id : {1, 2, 3}) s.observe_token(id, 12, 13);
    s.begin_forcing_end();
    EXPECT_EQ(s.phase(), ReasoningPhase::FORCING_END);
    s.observe_token(13, 12, 13);
    s.observe_token(4, 12, 13);
    EXPECT_EQ(s.phase(), ReasoningPhase::IN_CONTENT);
    EXPECT_EQ(s.reasoning_tokens(), 3);
    ReasoningState c(ReasoningPhase::IN_CONTENT);
    c.observe_token(12, 12, 13);  // a leading <think> opens reasoning
    EXPECT_TRUE(c.in_reasoning());
}

}  // namespace
}  // namespace hy::chat
