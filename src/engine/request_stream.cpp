#include "engine/request_stream.h"

namespace hy {

const char* finish_reason_name(FinishReason r) {
    switch (r) {
        case FinishReason::STOP:
            return "stop";
        case FinishReason::LENGTH:
            return "length";
        case FinishReason::ABORT:
            return "abort";
        case FinishReason::ERROR:
            return "error";
        case FinishReason::NONE:
            break;
    }
    return nullptr;
}

void RequestStream::push(TokenEvent ev, bool wake_consumer) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        events_.push_back(std::move(ev));
    }
    if (wake_consumer) wake();
}

void RequestStream::wake() {
    std::shared_ptr<DirectDelivery> d;
    {
        std::lock_guard<std::mutex> lock(mu_);
        d = direct_;
    }
    if (d) {
        {
            std::unique_lock<std::mutex> busy(*d->lock, std::try_to_lock);
            if (busy.owns_lock() && d->handle && d->handle()) return;
        }
        d->bell->ring();
    }
    cv_.notify_one();
}

void RequestStream::wait_for_event(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return !events_.empty(); });
}

void RequestStream::set_direct(std::shared_ptr<DirectDelivery> d) {
    std::lock_guard<std::mutex> lock(mu_);
    direct_ = std::move(d);
}

bool RequestStream::pop_nonfinal(TokenEvent& out) {
    std::lock_guard<std::mutex> lock(mu_);
    if (events_.empty() || events_.front().finish != FinishReason::NONE) return false;
    out = std::move(events_.front());
    events_.pop_front();
    return true;
}

bool RequestStream::has_events() {
    std::lock_guard<std::mutex> lock(mu_);
    return !events_.empty();
}

bool RequestStream::pop(TokenEvent& out, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return !events_.empty(); })) return false;
    out = std::move(events_.front());
    events_.pop_front();
    return true;
}

}  // namespace hy
