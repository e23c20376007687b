// The per-request channel between the engine thread (producer) and an HTTP thread (consumer).
// The consumer may abort at any time (client gone); the engine notices at its next step, finishes the
// sequence and frees its state (issue 5: "disconnect aborts the request within one step").
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>

#include "engine/generation_request.h"

namespace hy {

class RequestStream {
  public:
    explicit RequestStream(uint64_t id) : id_(id) {}
    uint64_t id() const { return id_; }

    // Engine side.
    void push(TokenEvent ev);
    bool abort_requested() const { return abort_.load(std::memory_order_relaxed); }

    // Consumer side: waits up to `timeout` for the next event; false on timeout.
    bool pop(TokenEvent& out, std::chrono::milliseconds timeout);
    void request_abort() { abort_.store(true, std::memory_order_relaxed); }

  private:
    uint64_t id_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<TokenEvent> events_;
    std::atomic<bool> abort_{false};
};

}  // namespace hy
