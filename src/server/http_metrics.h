// The HTTP layer's Prometheus families that vLLM's server exposes through
// prometheus-fastapi-instrumentator (spec/api.md §7): http_requests_total{handler,method,status} with
// the status grouped as "2xx"…, and http_request_duration_seconds{handler,method} with the
// instrumentator's default buckets (0.1, 0.5, 1). Paths that match no route are counted as "none" so
// a scanner cannot grow the label set without bound.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "engine/engine_metrics.h"

namespace hy::server {

class HttpMetrics {
  public:
    // `seconds` < 0: the duration is unknown (the request failed before routing) and not observed.
    void record(const std::string& path, const std::string& method, int status, double seconds);
    std::string render() const;  // Prometheus text, families in a fixed order

  private:
    mutable std::mutex mu_;
    std::map<std::tuple<std::string, std::string, std::string>, uint64_t>
        requests_;                                                        // handler, method, status
    std::map<std::pair<std::string, std::string>, Histogram> durations_;  // handler, method
};

// The handler label of a request path: the path itself for the server's routes, else "none".
std::string handler_label(const std::string& path);

}  // namespace hy::server
