// When the engine admits newly arrived requests (docs/engine.md "Admission window").
//
// Requests often come in bursts: a client's batch, an agent's fan-out, or N closed-loop streams whose
// previous requests all finished in the same step. On a busy machine their HTTP threads hand them over
// a few at a time, so admitting each as it lands splits one burst's prompts over several steps. Every
// such step runs a large prefill inside the decode of the burst's earlier members, whose first token
// is already out: their inter-token latency pays for everyone else's prompt.
//
// The window holds a burst until it is over: once a request arrives within `quiet` of the one before
// it, waiting requests are admitted only after no request has arrived for `quiet`, and at most
// kMaxHoldFactor x `quiet` after the oldest of them arrived. A request that arrives alone (its
// predecessor is more than `quiet` older) is admitted at once, so a lone client pays nothing.
// Running requests keep decoding while a burst is held.
#pragma once

#include <algorithm>
#include <chrono>

namespace hy {

class AdmissionWindow {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr int kMaxHoldFactor = 10;

    explicit AdmissionWindow(std::chrono::microseconds quiet = std::chrono::microseconds{0})
        : quiet_(quiet) {}

    // Every submitted request, in arrival order.
    void on_arrival(Clock::time_point t) {
        gap_ = seen_ ? t - last_ : Clock::duration::max();
        last_ = t;
        seen_ = true;
    }

    // The time from which the waiting requests, the oldest of which arrived at `oldest`, may be admitted
    // (a time not after `oldest` means at once).
    Clock::time_point admit_at(Clock::time_point oldest) const {
        if (quiet_.count() <= 0 || !seen_ || gap_ >= quiet_) return oldest;
        return std::min(last_ + quiet_, oldest + kMaxHoldFactor * quiet_);
    }

  private:
    std::chrono::microseconds quiet_;
    Clock::time_point last_{};
    Clock::duration gap_ = Clock::duration::max();  // between the last two arrivals
    bool seen_ = false;
};

}  // namespace hy
