// The per-request channel between the engine thread (producer) and an HTTP thread (consumer).
// The consumer may abort at any time (client gone); the engine notices at its next step, finishes the
// sequence and frees its state (issue 5: "disconnect aborts the request within one step").
//
// Direct delivery (docs/engine.md, "Session 9"): a consumer may lend the stream a handler that the
// engine's thread runs when it would wake the consumer, so that a token reaches its client without a
// thread switch. On 2 cores, waking 16 HTTP threads per step cost 0.2-0.4 ms of a 3.2 ms step, each
// woken thread preempting a compute thread. The handler runs under the request's lock, which the
// consumer holds whenever it handles events itself; when the lock is taken, or the handler declines
// (a final event, a stop, a socket that would block), the consumer's thread is woken as before.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

#include "engine/generation_request.h"

namespace hy {

// Wakes a consumer that waits on several streams at once (the n choices of one request).
class Doorbell {
  public:
    void ring() {
        {
            std::lock_guard<std::mutex> lock(mu_);
            rung_ = true;
        }
        cv_.notify_one();
    }
    // Until rung (then re-armed) or `timeout`.
    void wait(std::chrono::milliseconds timeout) {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait_for(lock, timeout, [&] { return rung_; });
        rung_ = false;
    }

  private:
    std::mutex mu_;
    std::condition_variable cv_;
    bool rung_ = false;
};

struct DirectDelivery {
    std::shared_ptr<std::mutex> lock;  // the request's: held by whoever handles its events
    // Runs on the engine's thread under *lock; false: the consumer's thread is needed after all.
    // Cleared (under *lock) before the consumer's state goes away.
    std::function<bool()> handle;
    std::shared_ptr<Doorbell> bell;  // rung when the consumer is needed
};

class RequestStream {
  public:
    explicit RequestStream(uint64_t id) : id_(id), arrival_(std::chrono::steady_clock::now()) {}
    uint64_t id() const { return id_; }
    std::chrono::steady_clock::time_point arrival() const { return arrival_; }  // Engine::submit time

    // Engine side. push(ev, false) queues without waking the consumer; wake() wakes it, or hands the
    // events to the direct-delivery handler (the scheduler defers the wake-ups of a step's tokens
    // until all of them are sampled).
    void push(TokenEvent ev, bool wake_consumer = true);
    void wake();
    bool abort_requested() const { return abort_.load(std::memory_order_acquire); }

    // Consumer side: waits up to `timeout` for the next event; false on timeout.
    bool pop(TokenEvent& out, std::chrono::milliseconds timeout);
    void wait_for_event(std::chrono::milliseconds timeout);
    // Direct delivery: lends the handler (set before the engine can produce for this stream, or
    // under the stream's own lock: wake() reads it there). pop_nonfinal takes the head event unless
    // the queue is empty or the head is final (a final event is left for the consumer's thread).
    void set_direct(std::shared_ptr<DirectDelivery> d);
    bool pop_nonfinal(TokenEvent& out);
    bool has_events();
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
    std::shared_ptr<DirectDelivery> direct_;
    std::atomic<bool> abort_{false};
    std::atomic<FinishReason> abort_reason_{FinishReason::ABORT};
};

}  // namespace hy
