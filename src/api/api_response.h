// What an API handler gives the HTTP layer: either a complete response, or a producer that writes the
// body incrementally (SSE, or a JSON body computed while the client is watched for disconnects).
// The api/ module knows nothing of sockets; the server adapts BodyWriter to its connection.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace hy::api {

class BodyWriter {
  public:
    virtual ~BodyWriter() = default;
    virtual bool write(std::string_view data) = 0;  // false: the client is gone
    virtual bool client_gone() = 0;
};

struct ApiResponse {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::function<void(BodyWriter&)> producer;  // set: the body comes from here
};

}  // namespace hy::api
