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
    explicit RequestStream(uint64_t id) : id_(id), arrival_(std::chrono::steady_clock::now()) {}
    uint64_t id() const { return id_; }
    std::chrono::steady_clock::time_point arrival() const { return arrival_; }  // Engine::submit time

    // Engine side. push(ev, false) queues without waking the consumer; wake() wakes it (the scheduler
    // defers the wake-ups of a step's tokens until all of them are sampled).
    void push(TokenEvent ev, bool wake_consumer = true);
    void wake() { cv_.notify_one(); }
    bool abort_requested() const { return abort_.load(std::memory_order_acquire); }

    // Consumer side: waits up to `timeout` for the next event; false on timeout.
    bool pop(TokenEvent& out, std::chrono::milliseconds timeout);
    // `reason` (ABORT, or STOP for a stop string matched by the API layer) is what metrics count.
    void request_abort(FinishReason reason = FinishReason::ABORT) {
        abort_reason_.store(reason, std::memory_order_relaxed);
        abort_.store(true, std::memory_order_release);
    }
    FinishReason abort_reason() const { return abort_reason_.load(std::memory_order_acquire); }

  private:
    uint64_t id_;
    std::chrono::steady_clock::time_point arrival_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<TokenEvent> events_;
    std::atomic<bool> abort_{false};
    std::atomic<FinishReason> abort_reason_{FinishReason::ABORT};
};

}  // namespace hy
