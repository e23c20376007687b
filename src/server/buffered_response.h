// Non-streaming responses (issue 5): the producer runs to its end before anything is sent, so the
// status reflects what happened: an engine error after validation is a 500 with the error body, not
// a 200 whose body happens to be an error. The client is watched meanwhile through `client_gone`
// (a ConnectionProbe), so a disconnect still aborts the generation within a step.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "api/api_response.h"

namespace hy::server {

struct BufferedBody {
    int status = 200;
    std::string body;
    bool client_gone = false;  // the producer saw the client leave; nothing needs sending
};

BufferedBody run_buffered(const std::function<void(api::BodyWriter&)>& producer,
                          const std::function<bool()>& client_gone);

// The status an error envelope written by a producer stands for: OpenAI's {"error":{…,"code":N}},
// Anthropic's {"type":"error","error":{"type":…}}; 200 for anything else.
int status_of_body(std::string_view body);

}  // namespace hy::server
