// The Anthropic Messages serializer (spec/api.md §6.2–6.3): turns the ChoiceEvents of one generation
// into the SSE events of a streamed message and, from the same events, the non-streamed message, so
// both paths agree by construction. Pure: no engine, no HTTP; ids come from the caller (tests fix
// them for the golden streams).
#pragma once

#include <cstdint>
#include <string>

#include "api/conversation.h"
#include "api/openai_format.h"

namespace hy::api {

class AnthropicStream {
  public:
    // `report_cache` (--enable-prompt-tokens-details): usage splits the prompt as Anthropic does,
    // input_tokens (not from the cache) + cache_read_input_tokens + cache_creation_input_tokens (0).
    AnthropicStream(std::string message_id, std::string model, int64_t input_tokens, std::string signature,
                    bool report_cache = false);

    std::string start() const;                    // message_start
    std::string on_event(const ChoiceEvent& ev);  // content blocks; the final event also ends the message
    bool finished() const { return finished_; }
    // The non-streamed message: thinking → text → tool_use blocks, stop_reason, usage (§6.2).
    OJson message() const;
    const char* stop_reason() const { return stop_reason_; }

  private:
    enum class Block { NONE, THINKING, TEXT, TOOL };
    std::string open(Block kind, const OJson& content_block);
    std::string close();
    OJson usage() const;

    std::string id_, model_, signature_;
    int64_t input_tokens_ = 0, output_tokens_ = 0, cached_tokens_ = 0;
    bool report_cache_ = false;
    Block open_ = Block::NONE;
    int index_ = -1;  // index of the open (or last) content block
    bool finished_ = false;
    const char* stop_reason_ = nullptr;
    std::string stop_sequence_;
    std::string thinking_, text_;
    struct Call {
        std::string id, name, args;
    };
    std::vector<Call> calls_;
};

// Anthropic stop_reason for a finished choice: tool_use, stop_sequence, max_tokens or end_turn.
const char* anthropic_stop_reason(const ChoiceEvent& final_event);

}  // namespace hy::api
