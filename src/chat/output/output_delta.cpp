// See output_delta.h.
#include "chat/output/output_delta.h"

namespace hy::chat {

void ParsedMessage::apply(const Delta& d) {
    switch (d.kind) {
        case DeltaKind::REASONING_TEXT:
            reasoning += d.text;
            break;
        case DeltaKind::CONTENT_TEXT:
            content += d.text;
            break;
        case DeltaKind::TOOL_CALL_BEGIN:
            tool_calls.push_back({d.id, d.name, ""});
            break;
        case DeltaKind::TOOL_CALL_ARGS:
            if (d.index >= 0 && std::size_t(d.index) < tool_calls.size())
                tool_calls[std::size_t(d.index)].arguments_json += d.text;
            break;
        case DeltaKind::TOOL_CALL_END:
            break;
    }
}

}  // namespace hy::chat
