// Incremental output parser for Nemotron 3: `nemotron_v3` reasoning (`<think>`…`</think>`,
// spec/api.md 8.2) plus `qwen3_coder` tool calls (`<tool_call><function=…><parameter=…>`, api.md
// 8.4, 3.4). One object per choice; feed it decoded text as it streams, then call finish(). Every
// call returns the new deltas. Feeding the same text in any split gives the same folded result
// (tests/unit/chat/output_parser_test.cpp checks every byte offset). Never throws on model text:
// anything it cannot parse degrades to plain text and adds a warning. See README.md for the rules.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "chat/output/output_delta.h"
#include "chat/output/reasoning_state.h"

namespace hy::chat {

struct ToolSpec {
    std::string name;
    nlohmann::ordered_json properties;  // the tool's parameters.properties; null = no schema
};

// Tools from an OpenAI `tools` array (`{type:"function", function:{name, parameters}}` or bare
// `{name, parameters}`); entries without a string name are skipped. Null/non-array → empty.
std::vector<ToolSpec> tool_specs_from_json(const nlohmann::ordered_json& tools);

struct OutputParserOptions {
    // Tool-call parsing runs only when enabled (tool_choice != "none") and `tools` is non-empty.
    bool parse_tool_calls = true;
    // `--reasoning-parser none`: `<think>`/`</think>` are plain content text, never reasoning.
    bool parse_reasoning = true;
    std::vector<ToolSpec> tools;
    bool parallel_tool_calls = true;                     // false: only the first call is reported
    std::function<std::string()> make_call_id;           // default: "call_" + 24 random hex digits
    std::function<void(const std::string&)> on_warning;  // also kept in warnings()
};

class OutputParser {
  public:
    // `state` is the request's shared reasoning state; its phase at construction says whether the
    // output starts inside reasoning (use reasoning_phase_from_prompt). The parser ends it when it
    // sees `</think>` or a tool call inside reasoning.
    OutputParser(OutputParserOptions options, std::shared_ptr<ReasoningState> state);

    std::vector<Delta> feed(std::string_view text);
    // End of generation: releases held-back text, closes an open call (its parameters run to the
    // end, api.md 8.4 step 2-3) and turns an undecided `<tool_call>` back into text.
    std::vector<Delta> finish();

    const std::vector<std::string>& warnings() const { return warnings_; }
    const ReasoningState& reasoning_state() const { return *state_; }
    int tool_call_count() const { return next_index_; }

  private:
    enum class Mode { REASONING, CONTENT, TOOL_OPEN, FUNC_BODY, PARAM_VALUE, AFTER_FUNCTION, AFTER_CALL };

    bool step(bool final, std::vector<Delta>& out);
    bool step_text(bool final, std::vector<Delta>& out);
    bool step_tool_open(bool final, std::vector<Delta>& out);
    bool step_func_body(bool final, std::vector<Delta>& out);
    bool step_param_value(bool final, std::vector<Delta>& out);
    bool step_after_function(bool final);
    bool step_after_call();

    void degrade(std::vector<Delta>& out, const std::string& why);
    void begin_call(const ToolSpec& tool, std::vector<Delta>& out);
    void emit_param(std::string_view raw, std::vector<Delta>& out);
    void close_call(std::vector<Delta>& out);
    void emit_text(DeltaKind kind, std::string_view text, std::vector<Delta>& out);
    void emit_args(std::string_view text, std::vector<Delta>& out);
    bool tools_active() const { return options_.parse_tool_calls && !options_.tools.empty(); }
    void warn(const std::string& message);
    std::size_t drop_leading_ws();  // returns how many bytes it dropped
    std::vector<Delta> run(bool final);

    OutputParserOptions options_;
    std::shared_ptr<ReasoningState> state_;
    Mode mode_;
    std::string buf_;        // received text not yet decided
    std::string tentative_;  // raw text of a `<tool_call>` whose function is not yet known
    bool tentative_in_reasoning_ = false;
    bool strip_newline_ = false;   // drop one '\n' right after <think> / </think>
    bool at_output_start_ = true;  // nothing consumed yet (a leading <think> enters reasoning)
    bool finished_ = false;

    // The open call.
    const ToolSpec* tool_ = nullptr;
    bool suppressed_ = false;  // parallel_tool_calls false and not the first call
    int index_ = -1;
    int next_index_ = 0;
    std::size_t param_count_ = 0;
    std::vector<std::string> param_keys_;
    std::string param_key_;
    std::size_t param_scan_ = 0;  // where to resume searching for the value's end
    bool junk_warned_ = false;

    std::vector<std::string> warnings_;
    std::mt19937_64 rng_;
};

// Non-streaming parse: feed(text) + finish(), folded. `initial` says whether output starts in reasoning.
ParsedMessage parse_output(std::string_view text, const OutputParserOptions& options, ReasoningPhase initial,
                           std::vector<std::string>* warnings = nullptr);

}  // namespace hy::chat
