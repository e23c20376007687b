// The generation loop shared by the Messages and Responses endpoints (issue 7): every ChoiceEvent goes
// through the API's serializer, whose output is written when streaming (a non-streamed response only
// folds), and the client is watched for disconnects either way.
#pragma once

#include <functional>
#include <string>

#include "api/api_response.h"
#include "api/conversation.h"

namespace hy::api {

// `serialize` returns the wire text of one event. `alive` ends false when a write failed.
inline RunResult run_serialized(ServingContext& ctx, const PreparedConversation& conv, bool stream,
                                BodyWriter& w,
                                const std::function<std::string(const ChoiceEvent&)>& serialize,
                                bool& alive) {
    return run_conversation(
        ctx, conv,
        [&](const ChoiceEvent& ev) {
            std::string text = serialize(ev);
            if (stream && alive && !text.empty()) alive = w.write(text);
            return alive;
        },
        [&] { return w.client_gone(); });
}

}  // namespace hy::api
