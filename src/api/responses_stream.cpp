#include "api/responses_stream.h"

#include "api/typed_sse.h"

namespace hy::api {

ResponsesStream::ResponsesStream(OJson base, int64_t input_tokens, IdGen ids, Logprobs logprobs)
    : resp_(std::move(base)),
      input_tokens_(input_tokens),
      ids_(std::move(ids)),
      logprobs_(std::move(logprobs)) {
    resp_["status"] = "in_progress";
    resp_["output"] = OJson::array();
    resp_["usage"] = nullptr;
}

std::string ResponsesStream::event(std::string_view type, OJson payload) {
    OJson e = {{"type", type}, {"sequence_number", seq_++}};
    for (auto& [k, v] : payload.items()) e[k] = std::move(v);
    return typed_sse(type, e);
}

std::string ResponsesStream::start() {
    std::string out = event("response.created", {{"response", resp_}});
    out += event("response.in_progress", {{"response", resp_}});
    return out;
}

std::string ResponsesStream::open(Item kind, OJson item) {
    std::string out = close(true);
    open_ = kind;
    text_.clear();
    text_logprobs_ = OJson::array();
    resp_["output"].push_back(item);
    const size_t oi = resp_["output"].size() - 1;
    out += event("response.output_item.added", {{"output_index", oi}, {"item", item}});
    const std::string id = item["id"];
    if (kind == Item::REASONING)
        out += event("response.reasoning_part.added", {{"item_id", id},
                                                       {"output_index", oi},
                                                       {"content_index", 0},
                                                       {"part", {{"type", "reasoning_text"}, {"text", ""}}}});
    if (kind == Item::MESSAGE)
        out += event("response.content_part.added", {{"item_id", id},
                                                     {"output_index", oi},
                                                     {"content_index", 0},
                                                     {"part",
                                                      {{"type", "output_text"},
                                                       {"text", ""},
                                                       {"annotations", OJson::array()},
                                                       {"logprobs", OJson::array()}}}});
    return out;
}

// Closes the open item: its done events, then output_item.done with the finished item, which also
// replaces the in-progress one in the response object. `complete` false: cut off by max_output_tokens.
std::string ResponsesStream::close(bool complete) {
    if (open_ == Item::NONE) return {};
    OJson& item = resp_["output"].back();
    const size_t oi = resp_["output"].size() - 1;
    const std::string id = item["id"];
    std::string out;
    if (open_ == Item::REASONING) {
        OJson part = {{"type", "reasoning_text"}, {"text", text_}};
        out += event("response.reasoning_text.done",
                     {{"item_id", id}, {"output_index", oi}, {"content_index", 0}, {"text", text_}});
        out += event("response.reasoning_part.done",
                     {{"item_id", id}, {"output_index", oi}, {"content_index", 0}, {"part", part}});
        item["content"] = OJson::array({part});
    } else if (open_ == Item::MESSAGE) {
        OJson part = {{"type", "output_text"},
                      {"text", text_},
                      {"annotations", OJson::array()},
                      {"logprobs", text_logprobs_}};
        out += event("response.output_text.done", {{"item_id", id},
                                                   {"output_index", oi},
                                                   {"content_index", 0},
                                                   {"text", text_},
                                                   {"logprobs", text_logprobs_}});
        out += event("response.content_part.done",
                     {{"item_id", id}, {"output_index", oi}, {"content_index", 0}, {"part", part}});
        item["content"] = OJson::array({part});
    } else {
        if (item["arguments"].get<std::string>().empty() && complete) item["arguments"] = "{}";
        out += event("response.function_call_arguments.done", {{"item_id", id},
                                                               {"output_index", oi},
                                                               {"name", item["name"]},
                                                               {"arguments", item["arguments"]}});
    }
    item["status"] = complete ? "completed" : "incomplete";
    out += event("response.output_item.done", {{"output_index", oi}, {"item", item}});
    open_ = Item::NONE;
    return out;
}

std::string ResponsesStream::on_event(const ChoiceEvent& ev) {
    if (finished_) return {};
    std::string out;
    auto oi = [&] { return resp_["output"].size() - 1; };
    // A step's tokens go with the first output_text delta they produce (markers and reasoning
    // tokens carry none, as output_text logprobs cover the message's text only).
    bool tokens_reported = !logprobs_ || ev.tokens.empty();
    for (const chat::Delta& d : ev.deltas) {
        switch (d.kind) {
            case chat::DeltaKind::REASONING_TEXT:
                if (d.text.empty()) break;
                if (open_ != Item::REASONING)
                    out += open(Item::REASONING, {{"id", ids_("rs")},
                                                  {"type", "reasoning"},
                                                  {"summary", OJson::array()},
                                                  {"content", OJson::array()},
                                                  {"encrypted_content", nullptr},
                                                  {"status", "in_progress"}});
                text_ += d.text;
                out += event("response.reasoning_text.delta", {{"item_id", resp_["output"].back()["id"]},
                                                               {"output_index", oi()},
                                                               {"content_index", 0},
                                                               {"delta", d.text}});
                break;
            case chat::DeltaKind::CONTENT_TEXT:
                if (d.text.empty()) break;
                if (open_ != Item::MESSAGE)
                    out += open(Item::MESSAGE, {{"id", ids_("msg")},
                                                {"type", "message"},
                                                {"role", "assistant"},
                                                {"status", "in_progress"},
                                                {"content", OJson::array()}});
                text_ += d.text;
                {
                    OJson lp = OJson::array();
                    if (!tokens_reported) {
                        lp = logprobs_(ev.tokens);
                        for (const auto& e : lp) text_logprobs_.push_back(e);
                        tokens_reported = true;
                    }
                    out += event("response.output_text.delta", {{"item_id", resp_["output"].back()["id"]},
                                                                {"output_index", oi()},
                                                                {"content_index", 0},
                                                                {"delta", d.text},
                                                                {"logprobs", std::move(lp)}});
                }
                break;
            case chat::DeltaKind::TOOL_CALL_BEGIN:
                out += open(Item::CALL, {{"id", ids_("fc")},
                                         {"type", "function_call"},
                                         {"call_id", d.id},
                                         {"name", d.name},
                                         {"arguments", ""},
                                         {"status", "in_progress"}});
                call_index_ = d.index;
                break;
            case chat::DeltaKind::TOOL_CALL_ARGS: {
                if (open_ != Item::CALL || d.index != call_index_ || d.text.empty()) break;
                OJson& item = resp_["output"].back();
                item["arguments"] = item["arguments"].get<std::string>() + d.text;
                out += event("response.function_call_arguments.delta",
                             {{"item_id", item["id"]}, {"output_index", oi()}, {"delta", d.text}});
                break;
            }
            case chat::DeltaKind::TOOL_CALL_END:
                if (open_ == Item::CALL && d.index == call_index_) out += close(true);
                break;
        }
    }
    if (ev.finish == FinishReason::NONE) return out;
    const bool length = ev.finish == FinishReason::LENGTH;
    out += close(!length);
    finished_ = true;
    resp_["status"] = length ? "incomplete" : "completed";
    resp_["incomplete_details"] = length ? OJson{{"reason", "max_output_tokens"}} : OJson(nullptr);
    resp_["usage"] = {
        {"input_tokens", input_tokens_},
        {"input_tokens_details", {{"cached_tokens", ev.cached_tokens}}},  // as vLLM: always reported
        {"output_tokens", ev.completion_tokens},
        {"output_tokens_details", {{"reasoning_tokens", ev.reasoning_tokens}, {"tool_output_tokens", 0}}},
        {"total_tokens", input_tokens_ + ev.completion_tokens}};
    return out;
}

std::string ResponsesStream::finish_event() {
    if (!finished_) return {};
    return event(resp_["status"] == "incomplete" ? "response.incomplete" : "response.completed",
                 {{"response", resp_}});
}

std::string ResponsesStream::error_event(const std::string& message) {
    return event("error", {{"code", "server_error"}, {"message", message}, {"param", nullptr}});
}

}  // namespace hy::api
