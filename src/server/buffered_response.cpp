#include "server/buffered_response.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "api/openai_format.h"
#include "core/error.h"

namespace hy::server {

namespace {

class BufferWriter final : public api::BodyWriter {
  public:
    explicit BufferWriter(const std::function<bool()>& gone) : gone_(gone) {}
    bool write(std::string_view data) override {
        body.append(data);
        return !gone;
    }
    bool client_gone() override {
        if (!gone && gone_) gone = gone_();
        return gone;
    }
    std::string body;
    bool gone = false;

  private:
    const std::function<bool()>& gone_;
};

int anthropic_status(const std::string& type) {
    if (type == "invalid_request_error") return 400;
    if (type == "authentication_error") return 401;
    if (type == "permission_error") return 403;
    if (type == "not_found_error") return 404;
    if (type == "request_too_large") return 413;
    if (type == "rate_limit_error") return 429;
    if (type == "overloaded_error") return 529;
    return 500;
}

}  // namespace

int status_of_body(std::string_view body) {
    // Cheap test first: a normal completion body is large and never starts an error envelope.
    if (body.find("\"error\"") == std::string_view::npos) return 200;
    const nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
    if (!j.is_object() || !j.contains("error") || !j["error"].is_object()) return 200;
    const nlohmann::json& e = j["error"];
    if (e.contains("code") && e["code"].is_number_integer()) {
        const int code = e["code"].get<int>();
        if (code >= 400 && code < 600) return code;
    }
    if (j.value("type", "") == "error") return anthropic_status(e.value("type", ""));
    return 500;
}

BufferedBody run_buffered(const std::function<void(api::BodyWriter&)>& producer,
                          const std::function<bool()>& client_gone) {
    BufferWriter w(client_gone);
    BufferedBody out;
    try {
        producer(w);
        out.status = status_of_body(w.body);
        out.body = std::move(w.body);
    } catch (const std::exception& e) {
        SPDLOG_ERROR("response producer failed: {}", e.what());
        const api::ApiResponse r = api::error_response(std::current_exception());
        out.status = r.status;
        out.body = r.body;
    }
    out.client_gone = w.gone;
    return out;
}

}  // namespace hy::server
