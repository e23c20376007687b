// The Responses API serializer (spec/api.md §5.2–5.3): turns the ChoiceEvents of one generation into
// the typed, sequence-numbered stream events and, from the same events, the final response object
// (reasoning → message → function_call items, status, usage), so streamed and stored responses agree
// by construction. Pure: ids come from the caller (tests fix them for the golden streams).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "api/conversation.h"
#include "api/openai_format.h"

namespace hy::api {

class ResponsesStream {
  public:
    using IdGen = std::function<std::string(std::string_view prefix)>;  // "rs", "msg", "fc" → unique id
    // The logprob entries of a step's tokens (api/token_logprobs.h); null: the request asked for none.
    using Logprobs = std::function<OJson(const std::vector<GeneratedToken>&)>;
    // `base`: the response object with every request echo field set; output and usage are filled here.
    ResponsesStream(OJson base, int64_t input_tokens, IdGen ids, Logprobs logprobs = nullptr);

    std::string start();                          // response.created, response.in_progress
    std::string on_event(const ChoiceEvent& ev);  // item events; the final event closes them and ends
    // The terminal event (response.completed, or response.incomplete on a length stop as OpenAI does).
    // Separate from on_event so the caller can store the response before the client sees the end.
    std::string finish_event();
    // An `error` event (generation failed after the stream began).
    std::string error_event(const std::string& message);
    bool finished() const { return finished_; }
    const OJson& response() const { return resp_; }  // status completed/incomplete once finished

  private:
    enum class Item { NONE, REASONING, MESSAGE, CALL };
    std::string event(std::string_view type, OJson payload);
    std::string open(Item kind, OJson item);
    std::string close(bool complete);

    OJson resp_;
    int64_t input_tokens_ = 0;
    IdGen ids_;
    int64_t seq_ = 0;
    Item open_ = Item::NONE;
    Logprobs logprobs_;
    std::string text_;     // of the open reasoning or message item
    OJson text_logprobs_;  // of the open message item's output_text
    int call_index_ = -1;  // ChoiceEvent call index of the open function_call item
    bool finished_ = false;
};

}  // namespace hy::api
