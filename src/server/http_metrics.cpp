#include "server/http_metrics.h"

#include <array>

#include "api/prometheus_text.h"

namespace hy::server {

std::string handler_label(const std::string& path) {
    static const std::array<const char*, 20> routes = {"/v1/chat/completions",
                                                       "/v1/completions",
                                                       "/v1/models",
                                                       "/v1/health/live",
                                                       "/v1/health/ready",
                                                       "/health",
                                                       "/v1/version",
                                                       "/version",
                                                       "/v1/metadata",
                                                       "/metrics",
                                                       "/v1/metrics",
                                                       "/v1/messages",
                                                       "/v1/messages/count_tokens",
                                                       "/v1/responses",
                                                       "/tokenize",
                                                       "/detokenize",
                                                       "/v1/license",
                                                       "/v1/manifest",
                                                       "/ping",
                                                       "/v1/embeddings"};
    for (const char* r : routes)
        if (path == r) return path;
    if (path.rfind("/v1/responses/", 0) == 0) return "/v1/responses/{response_id}";
    return "none";
}

void HttpMetrics::record(const std::string& path, const std::string& method, int status, double seconds) {
    const std::string handler = handler_label(path);
    const std::string status_class = std::to_string(status / 100) + "xx";
    std::lock_guard<std::mutex> lock(mu_);
    ++requests_[{handler, method, status_class}];
    if (seconds < 0) return;
    auto it = durations_.find({handler, method});
    if (it == durations_.end())
        it = durations_.emplace(std::pair{handler, method}, Histogram({0.1, 0.5, 1.0})).first;
    it->second.observe(seconds);
}

std::string HttpMetrics::render() const {
    std::lock_guard<std::mutex> lock(mu_);
    api::PromWriter w;
    w.family("http_requests_total", "counter", "Total number of requests by method, status and handler.");
    for (const auto& [key, n] : requests_) {
        const auto& [handler, method, status] = key;
        w.sample("http_requests_total", {{"handler", handler}, {"method", method}, {"status", status}},
                 static_cast<double>(n));
    }
    w.family("http_request_duration_seconds", "histogram",
             "Latency with only few buckets by handler. Made to be only used if aggregation by handler is "
             "important.");
    for (const auto& [key, h] : durations_)
        w.histogram("http_request_duration_seconds", {{"handler", key.first}, {"method", key.second}}, h);
    return w.text();
}

}  // namespace hy::server
