#include "api/anthropic_stream.h"

#include <algorithm>

#include "api/typed_sse.h"

namespace hy::api {

const char* anthropic_stop_reason(const ChoiceEvent& ev) {
    if (ev.has_tool_calls) return "tool_use";
    if (ev.finish == FinishReason::LENGTH) return "max_tokens";
    // A matched stop string is reported as such (the real API's behaviour; vLLM says end_turn, §6.2).
    if (ev.finish == FinishReason::STOP && !ev.stop_sequence.empty()) return "stop_sequence";
    return "end_turn";
}

AnthropicStream::AnthropicStream(std::string message_id, std::string model, int64_t input_tokens,
                                 std::string signature, bool report_cache)
    : id_(std::move(message_id)),
      model_(std::move(model)),
      signature_(std::move(signature)),
      input_tokens_(input_tokens),
      report_cache_(report_cache) {}

// Anthropic's contract: the prompt = input_tokens + cache_read_input_tokens + cache_creation_input_tokens
// (vLLM reports the same since its PR 40912). Without the flag the cache is not reported at all.
OJson AnthropicStream::usage() const {
    if (!report_cache_) return {{"input_tokens", input_tokens_}, {"output_tokens", output_tokens_}};
    return {{"input_tokens", input_tokens_ - cached_tokens_},
            {"output_tokens", output_tokens_},
            {"cache_creation_input_tokens", 0},
            {"cache_read_input_tokens", cached_tokens_}};
}

std::string AnthropicStream::start() const {
    // The skeleton carries type and role (vLLM omits them, §6.3; the SDKs expect them).
    OJson msg = {{"id", id_},
                 {"type", "message"},
                 {"role", "assistant"},
                 {"content", OJson::array()},
                 {"model", model_},
                 {"stop_reason", nullptr},
                 {"stop_sequence", nullptr},
                 {"usage", {{"input_tokens", input_tokens_}, {"output_tokens", 0}}}};
    return typed_sse("message_start", {{"type", "message_start"}, {"message", msg}});
}

std::string AnthropicStream::open(Block kind, const OJson& content_block) {
    std::string out = close();
    open_ = kind;
    ++index_;
    out += typed_sse("content_block_start",
                     {{"type", "content_block_start"}, {"index", index_}, {"content_block", content_block}});
    return out;
}

std::string AnthropicStream::close() {
    if (open_ == Block::NONE) return {};
    std::string out;
    // A thinking block ends with its signature (§6.3); clients send it back with the thinking text.
    if (open_ == Block::THINKING)
        out += typed_sse("content_block_delta",
                         {{"type", "content_block_delta"},
                          {"index", index_},
                          {"delta", {{"type", "signature_delta"}, {"signature", signature_}}}});
    out += typed_sse("content_block_stop", {{"type", "content_block_stop"}, {"index", index_}});
    open_ = Block::NONE;
    return out;
}

std::string AnthropicStream::on_event(const ChoiceEvent& ev) {
    if (finished_) return {};
    std::string out;
    auto delta = [&](const OJson& d) {
        out += typed_sse("content_block_delta",
                         {{"type", "content_block_delta"}, {"index", index_}, {"delta", d}});
    };
    for (const chat::Delta& d : ev.deltas) {
        switch (d.kind) {
            case chat::DeltaKind::REASONING_TEXT:
                if (d.text.empty()) break;
                if (open_ != Block::THINKING)
                    out += open(Block::THINKING, {{"type", "thinking"}, {"thinking", ""}, {"signature", ""}});
                thinking_ += d.text;
                delta({{"type", "thinking_delta"}, {"thinking", d.text}});
                break;
            case chat::DeltaKind::CONTENT_TEXT:
                if (d.text.empty()) break;
                if (open_ != Block::TEXT) out += open(Block::TEXT, {{"type", "text"}, {"text", ""}});
                text_ += d.text;
                delta({{"type", "text_delta"}, {"text", d.text}});
                break;
            case chat::DeltaKind::TOOL_CALL_BEGIN:
                if (d.index < 0) break;
                if (calls_.size() <= static_cast<size_t>(d.index))
                    calls_.resize(static_cast<size_t>(d.index) + 1);
                calls_[static_cast<size_t>(d.index)].id = d.id;
                calls_[static_cast<size_t>(d.index)].name = d.name;
                out +=
                    open(Block::TOOL,
                         {{"type", "tool_use"}, {"id", d.id}, {"name", d.name}, {"input", OJson::object()}});
                break;
            case chat::DeltaKind::TOOL_CALL_ARGS:
                if (d.index < 0 || static_cast<size_t>(d.index) >= calls_.size() || d.text.empty()) break;
                calls_[static_cast<size_t>(d.index)].args += d.text;
                if (open_ == Block::TOOL) delta({{"type", "input_json_delta"}, {"partial_json", d.text}});
                break;
            case chat::DeltaKind::TOOL_CALL_END:
                if (open_ == Block::TOOL) out += close();
                break;
        }
    }
    output_tokens_ = ev.completion_tokens;
    cached_tokens_ = std::min(ev.cached_tokens, input_tokens_);
    if (ev.finish == FinishReason::NONE) return out;
    out += close();
    finished_ = true;
    stop_reason_ = anthropic_stop_reason(ev);
    if (std::string_view(stop_reason_) == "stop_sequence") stop_sequence_ = ev.stop_sequence;
    out += typed_sse("message_delta",
                     {{"type", "message_delta"},
                      {"delta",
                       {{"stop_reason", stop_reason_},
                        {"stop_sequence", stop_sequence_.empty() ? OJson(nullptr) : OJson(stop_sequence_)}}},
                      {"usage", usage()}});
    out += typed_sse("message_stop", {{"type", "message_stop"}});
    return out;
}

OJson AnthropicStream::message() const {
    OJson content = OJson::array();
    if (!thinking_.empty())
        content.push_back({{"type", "thinking"}, {"thinking", thinking_}, {"signature", signature_}});
    if (!text_.empty()) content.push_back({{"type", "text"}, {"text", text_}});
    for (const Call& c : calls_) {
        // The parser guarantees valid JSON at TOOL_CALL_END; an unfinished call (length stop) may not be.
        OJson input = OJson::parse(c.args.empty() ? "{}" : c.args, nullptr, false);
        if (input.is_discarded() || !input.is_object()) input = OJson::object();
        content.push_back({{"type", "tool_use"}, {"id", c.id}, {"name", c.name}, {"input", input}});
    }
    return {{"id", id_},
            {"type", "message"},
            {"role", "assistant"},
            {"model", model_},
            {"content", content},
            {"stop_reason", stop_reason_ ? OJson(stop_reason_) : OJson(nullptr)},
            {"stop_sequence", stop_sequence_.empty() ? OJson(nullptr) : OJson(stop_sequence_)},
            {"usage", usage()}};
}

}  // namespace hy::api
