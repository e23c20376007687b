// The api's BodyWriter over one streaming HTTP response (chunked transfer encoding).
//
// With the connection's socket at hand (ConnectionProbe), chunks are framed here and sent on the
// socket itself; httplib has written the headers before the producer runs and writes the closing
// chunk after it returns. That lets a chunk go out without blocking when the engine's thread delivers
// tokens directly (api/nonblocking_writes.h): what the socket does not take at once is kept, in order,
// and the request's own thread sends it on its next write, client_gone() or flush(). Without the
// socket, writes go through httplib's sink, and under NonBlockingWrites they are all kept back.
//
// A peer that closed is only noticed by a failing write, so while generation is silent for a while
// client_gone() writes something harmless: a space before a JSON body (JSON allows leading
// whitespace) or an SSE comment line.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <string_view>

#include "api/api_response.h"

namespace hy::server {

class SinkWriter final : public api::BodyWriter {
  public:
    using SinkWrite = std::function<bool(const char*, size_t)>;  // httplib::DataSink::write
    // `stopping` (may be null): the server is shutting down, so client_gone() says yes.
    SinkWriter(SinkWrite sink, int fd, bool sse, std::chrono::milliseconds write_timeout,
               const std::atomic<bool>* stopping = nullptr);

    bool write(std::string_view data) override;
    bool client_gone() override;
    // Sends everything kept back (blocking). Call before the response's closing chunk.
    bool flush();
    size_t kept_bytes() const { return framed_.size() - sent_; }

  private:
    bool send_framed(bool block);
    using Clock = std::chrono::steady_clock;

    SinkWrite sink_;
    int fd_;
    bool sse_;
    std::chrono::milliseconds write_timeout_;
    const std::atomic<bool>* stopping_;
    bool failed_ = false;
    Clock::time_point last_ = Clock::now();
    std::string framed_;  // socket path: chunks framed, [sent_, size) not yet on the socket
    size_t sent_ = 0;
    std::deque<std::string> held_;  // sink path: payloads kept back by a non-blocking write
};

}  // namespace hy::server
