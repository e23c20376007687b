// See tool_call_output.h.
#include "api/tool_call_output.h"

#include <spdlog/spdlog.h>

#include "api/openai_format.h"
#include "chat/output/py_value.h"

namespace hy::api {

namespace {

std::string call_id() {
    return "call_" + random_hex(24);
}

}  // namespace

ToolCallOutput::ToolCallOutput(ToolChoice choice, std::vector<chat::ToolSpec> tools, bool parallel_tool_calls)
    : choice_(std::move(choice)), tools_(std::move(tools)), parallel_(parallel_tool_calls) {}

std::vector<chat::Delta> ToolCallOutput::convert(std::vector<chat::Delta> deltas, bool final) {
    std::vector<chat::Delta> out;
    for (auto& d : deltas) {
        if (d.kind != chat::DeltaKind::CONTENT_TEXT || done_) {
            out.push_back(std::move(d));
            continue;
        }
        if (choice_.mode == ToolChoiceMode::REQUIRED) {
            held_ += d.text;
            continue;
        }
        if (!begun_) {
            begun_ = true;
            chat::Delta b;
            b.kind = chat::DeltaKind::TOOL_CALL_BEGIN;
            b.index = 0;
            b.id = call_id();
            b.name = choice_.function_name;
            out.push_back(std::move(b));
        }
        chat::Delta a;
        a.kind = chat::DeltaKind::TOOL_CALL_ARGS;
        a.index = 0;
        a.text = std::move(d.text);
        out.push_back(std::move(a));
    }
    if (final && !done_) {
        done_ = true;
        if (choice_.mode == ToolChoiceMode::REQUIRED) {
            finish_required(out);
        } else if (begun_) {
            chat::Delta e;
            e.kind = chat::DeltaKind::TOOL_CALL_END;
            e.index = 0;
            out.push_back(std::move(e));
        }
    }
    return out;
}

void ToolCallOutput::finish_required(std::vector<chat::Delta>& out) {
    std::vector<chat::Delta> calls;
    auto parsed = chat::py_json_loads(held_);
    bool ok = parsed && parsed->kind == chat::PyValue::Kind::LIST && !parsed->items.empty();
    for (size_t i = 0; ok && i < parsed->items.size(); ++i) {
        const chat::PyValue& item = parsed->items[i];
        const chat::PyValue* name = nullptr;
        const chat::PyValue* params = nullptr;
        if (item.kind == chat::PyValue::Kind::DICT)
            for (size_t k = 0; k < item.keys.size(); ++k) {
                if (item.keys[k] == "name") name = &item.items[k];
                if (item.keys[k] == "parameters") params = &item.items[k];
            }
        if (!name || name->kind != chat::PyValue::Kind::STR || !params) {
            ok = false;
            break;
        }
        if (!parallel_ && i > 0) break;  // parallel_tool_calls false: only the first call
        const int index = static_cast<int>(i);
        calls.push_back({chat::DeltaKind::TOOL_CALL_BEGIN, "", index, call_id(), name->text});
        calls.push_back({chat::DeltaKind::TOOL_CALL_ARGS, chat::py_json_dumps(*params), index, "", ""});
        calls.push_back({chat::DeltaKind::TOOL_CALL_END, "", index, "", ""});
    }
    if (ok) {
        out.insert(out.end(), calls.begin(), calls.end());
    } else if (!held_.empty()) {
        spdlog::warn("tool_choice required: the output is not a complete list of calls; returned as content");
        out.push_back({chat::DeltaKind::CONTENT_TEXT, held_, -1, "", ""});
    }
}

}  // namespace hy::api
