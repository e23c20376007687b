// bench-serve's event-loop load generator (`--client loop`): many streaming HTTP/1.1 POSTs driven by
// ONE thread over plain non-blocking sockets and epoll, the way `vllm bench serve` drives all its
// requests from one asyncio loop. bench-serve runs on the machine it measures (2 cores here); its
// default client, a thread per stream over httplib, uses 21-23 us of CPU per streamed token, this one
// 13 us (docs/engine.md, "Session 10", which also says why the default stayed).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hy::cli {

using StreamClock = std::chrono::steady_clock;

struct StreamTarget {
    std::string host = "127.0.0.1";
    int port = 80;
    std::vector<std::pair<std::string, std::string>> headers;  // sent with every request
    double timeout_s = 900;                                    // with no byte received, a request fails
};

// How one request ended.
struct StreamOutcome {
    StreamClock::time_point started;  // just before the request's first byte was written
    int status = 0;                   // the HTTP status; 0 when no complete response came
    std::string error;                // transport failure (refused, closed early, timed out); else empty
    std::string body_head;            // a non-200 response's first 300 bytes
};

struct StreamCallbacks {
    // One SSE `data:` payload of request i's 200 response, with the time its bytes were read.
    std::function<void(size_t i, std::string_view data, StreamClock::time_point at)> on_data;
    std::function<void(size_t i, const StreamOutcome& outcome, StreamClock::time_point at)> on_finish;
};

// POSTs bodies[i] (JSON) to `path` for every i, in order, keeping at most `concurrency` requests in
// flight, each on its own keep-alive connection (a connection that fails or that the server closes is
// reopened for the next request). Returns when every request has finished; on_finish runs exactly
// once per request. Callbacks run on the calling thread.
void run_streams(const StreamTarget& target, const std::string& path, const std::vector<std::string>& bodies,
                 int concurrency, const StreamCallbacks& callbacks);

}  // namespace hy::cli
