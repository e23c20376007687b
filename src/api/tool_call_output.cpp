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
            scan_required(out);
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

void ToolCallOutput::scan_required(std::vector<chat::Delta>& out) {
    for (; scanned_ < held_.size(); ++scanned_) {
        const char ch = held_[scanned_];
        if (in_string_) {
            if (escaped_)
                escaped_ = false;
            else if (ch == '\\')
                escaped_ = true;
            else if (ch == '"')
                in_string_ = false;
            continue;
        }
        if (ch == '"') {
            in_string_ = true;
        } else if (ch == '{' || ch == '[') {
            if (++depth_ == 2) item_start_ = scanned_;
        } else if (ch == '}' || ch == ']') {
            if (--depth_ != 1 || ch != '}') continue;
            // An item of the list is complete: {"name": …, "parameters": …}.
            auto item =
                chat::py_json_loads(std::string_view(held_).substr(item_start_, scanned_ + 1 - item_start_));
            const chat::PyValue* name = nullptr;
            const chat::PyValue* params = nullptr;
            if (item && item->kind == chat::PyValue::Kind::DICT)
                for (size_t k = 0; k < item->keys.size(); ++k) {
                    if (item->keys[k] == "name") name = &item->items[k];
                    if (item->keys[k] == "parameters") params = &item->items[k];
                }
            if (!name || name->kind != chat::PyValue::Kind::STR || !params) continue;
            if (!parallel_ && calls_ > 0) continue;  // parallel_tool_calls false: only the first call
            const int index = calls_++;
            out.push_back({chat::DeltaKind::TOOL_CALL_BEGIN, "", index, call_id(), name->text});
            out.push_back({chat::DeltaKind::TOOL_CALL_ARGS, chat::py_json_dumps(*params), index, "", ""});
            out.push_back({chat::DeltaKind::TOOL_CALL_END, "", index, "", ""});
        }
    }
}

void ToolCallOutput::finish_required(std::vector<chat::Delta>& out) {
    if (calls_ > 0) return;  // calls already went out; a cut-off tail is dropped
    if (held_.empty()) return;
    SPDLOG_WARN("tool_choice required: the output holds no complete call; returned as content");
    out.push_back({chat::DeltaKind::CONTENT_TEXT, held_, -1, "", ""});
}

}  // namespace hy::api
