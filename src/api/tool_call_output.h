// tool_choice required / named (spec/api.md §3.4): the grammar makes the answer JSON, and this turns
// that JSON into tool-call deltas. Named: the whole answer is the arguments of one call, streamed as
// it comes (header on the first text). Required: the answer is `[{"name", "parameters"}, …]`, turned
// into calls when it is complete (arguments re-serialized as Python's json.dumps writes them, like
// the qwen3_coder parser's). Reasoning deltas pass through; text that does not parse (a length stop)
// stays content.
#pragma once

#include <string>
#include <vector>

#include "api/conversation.h"
#include "chat/output/output_delta.h"
#include "chat/output/output_parser.h"

namespace hy::api {

class ToolCallOutput {
  public:
    ToolCallOutput(ToolChoice choice, std::vector<chat::ToolSpec> tools, bool parallel_tool_calls);
    // The deltas of one step with content replaced by tool-call deltas; `final` at the choice's end.
    std::vector<chat::Delta> convert(std::vector<chat::Delta> deltas, bool final);

  private:
    void finish_required(std::vector<chat::Delta>& out);

    ToolChoice choice_;
    std::vector<chat::ToolSpec> tools_;
    bool parallel_;
    bool begun_ = false;  // named: header sent
    bool done_ = false;
    std::string held_;  // required: the answer so far
};

}  // namespace hy::api
