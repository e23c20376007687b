// A BodyWriter that sends an Anthropic `ping` event after `interval` without any event (issue 7,
// spec/api.md §6.3: the real API pings; proxies and SDK read timeouts then see a live stream while a
// long prompt is prefilled). The pings go out from client_gone(), which the generation loop polls.
#pragma once

#include <chrono>

#include "api/api_response.h"
#include "api/typed_sse.h"

namespace hy::api {

class PingWriter final : public BodyWriter {
  public:
    using Clock = std::chrono::steady_clock;
    PingWriter(BodyWriter& inner, Clock::duration interval) : inner_(inner), interval_(interval) {}
    bool write(std::string_view data) override {
        last_ = Clock::now();
        return inner_.write(data);
    }
    bool client_gone() override {
        if (Clock::now() - last_ >= interval_ && !write(typed_sse("ping", {{"type", "ping"}}))) return true;
        return inner_.client_gone();
    }

  private:
    BodyWriter& inner_;
    Clock::duration interval_;
    Clock::time_point last_ = Clock::now();
};

}  // namespace hy::api
