#include "api/chat_stream.h"

#include <utility>

namespace hy::api {

namespace {

std::vector<OJson> event_deltas(const ChoiceEvent& ev) {
    std::vector<OJson> out;
    OJson cur = OJson::object();
    auto flush = [&] {
        if (!cur.empty()) out.push_back(std::move(cur));
        cur = OJson::object();
    };
    auto append = [&](const char* key, const std::string& text) {
        if (cur.contains("tool_calls")) flush();  // text after a call's arguments: a new delta
        cur[key] = cur.value(key, std::string()) + text;
    };
    for (const auto& d : ev.deltas) {
        switch (d.kind) {
            case chat::DeltaKind::REASONING_TEXT:
                append("reasoning", d.text);
                break;
            case chat::DeltaKind::CONTENT_TEXT:
                append("content", d.text);
                break;
            case chat::DeltaKind::TOOL_CALL_BEGIN:
                flush();
                cur["tool_calls"] = OJson::array({{{"index", d.index},
                                                   {"id", d.id},
                                                   {"type", "function"},
                                                   {"function", {{"name", d.name}, {"arguments", ""}}}}});
                flush();
                break;
            case chat::DeltaKind::TOOL_CALL_ARGS: {
                OJson& calls = cur["tool_calls"];
                if (!calls.empty() && calls.back()["index"] == d.index)
                    calls.back()["function"]["arguments"] =
                        calls.back()["function"]["arguments"].get<std::string>() + d.text;
                else
                    calls.push_back({{"index", d.index}, {"function", {{"arguments", d.text}}}});
                break;
            }
            case chat::DeltaKind::TOOL_CALL_END:
                break;
        }
    }
    flush();
    return out;
}

}  // namespace

OJson chat_chunk(const ChatChunkHeader& h) {
    return {{"id", h.id}, {"object", "chat.completion.chunk"}, {"created", h.created}, {"model", h.model}};
}

OJson chat_finish_reason(FinishReason finish, bool has_tool_calls, const ChatToolPolicy& policy) {
    if (finish == FinishReason::STOP && has_tool_calls && !policy.named_tool) return "tool_calls";
    return finish_reason_name(finish);
}

std::vector<OJson> chat_opening_chunks(const ChatChunkHeader& h, int64_t n, const std::string& echo_text,
                                       const std::string& role) {
    std::vector<OJson> out;
    for (int64_t i = 0; i < n; ++i) {
        OJson ch = chat_chunk(h);
        ch["choices"] = OJson::array({{{"index", i},
                                       {"delta", {{"role", role}, {"content", ""}}},
                                       {"logprobs", nullptr},
                                       {"finish_reason", nullptr}}});
        out.push_back(ch);
        if (!echo_text.empty()) {
            ch["choices"][0]["delta"] = {{"content", echo_text}};
            out.push_back(std::move(ch));
        }
    }
    return out;
}

std::vector<OJson> chat_event_chunks(const ChatChunkHeader& h, const ChoiceEvent& ev,
                                     const ChatToolPolicy& policy, bool want_logprobs,
                                     const OJson& logprobs) {
    const bool final = ev.finish != FinishReason::NONE;
    std::vector<OJson> deltas = event_deltas(ev);
    if (deltas.empty() && !final && !want_logprobs) return {};  // nothing visible this step
    if (deltas.empty()) deltas.push_back(OJson::object());
    std::vector<OJson> out;
    for (size_t k = 0; k < deltas.size(); ++k) {
        const bool last = k + 1 == deltas.size();
        OJson choice = {{"index", ev.index}, {"delta", std::move(deltas[k])}};
        choice["logprobs"] = last ? logprobs : OJson(nullptr);
        choice["finish_reason"] =
            last && final ? chat_finish_reason(ev.finish, ev.has_tool_calls, policy) : OJson(nullptr);
        if (last && final) choice["stop_reason"] = ev.stop_reason;
        OJson ch = chat_chunk(h);
        ch["choices"] = OJson::array({std::move(choice)});
        out.push_back(std::move(ch));
    }
    return out;
}

OJson chat_message_json(const chat::ParsedMessage& msg, const std::string& echo_text, bool include_reasoning,
                        const ChatToolPolicy& policy, const std::string& role) {
    OJson calls = OJson::array();
    for (const auto& tc : msg.tool_calls)
        calls.push_back({{"id", tc.id},
                         {"type", "function"},
                         {"function", {{"name", tc.name}, {"arguments", tc.arguments_json}}}});
    const std::string content = echo_text + msg.content;
    OJson reasoning = include_reasoning && !msg.reasoning.empty() ? OJson(msg.reasoning) : OJson(nullptr);
    return {{"role", role},
            {"content", !content.empty() || policy.forced_tools ? OJson(content) : OJson(nullptr)},
            {"refusal", nullptr},
            {"annotations", nullptr},
            {"audio", nullptr},
            {"function_call", nullptr},
            {"tool_calls", calls},
            {"reasoning", reasoning},
            {"reasoning_content", reasoning}};  // the pre-0.16 vLLM name (spec §3.3), for older clients
}

}  // namespace hy::api
