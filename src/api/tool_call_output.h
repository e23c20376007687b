// tool_choice required / named (spec/api.md §3.4): the grammar makes the answer JSON, and this turns
// that JSON into tool-call deltas. Named: the whole answer is the arguments of one call, streamed as
// it comes (header on the first text). Required: the answer is `[{"name", "parameters"}, …]`; each
// item becomes a call as soon as its object closes (arguments re-serialized as Python's json.dumps
// writes them, like the qwen3_coder parser's). Reasoning deltas pass through; an answer cut off before
// its first call is complete (a length stop) stays content.
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
    void scan_required(std::vector<chat::Delta>& out);  // emits the items closed since the last scan
    void finish_required(std::vector<chat::Delta>& out);

    ToolChoice choice_;
    std::vector<chat::ToolSpec> tools_;
    bool parallel_;
    bool begun_ = false;  // named: header sent
    bool done_ = false;
    // Required: the answer so far and a scanner over it (the grammar makes it compact, valid JSON).
    std::string held_;
    size_t scanned_ = 0, item_start_ = 0;
    int depth_ = 0;
    bool in_string_ = false, escaped_ = false;
    int calls_ = 0;
};

}  // namespace hy::api
