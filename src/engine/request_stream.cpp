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
    if (wake_consumer) cv_.notify_one();
}

bool RequestStream::pop(TokenEvent& out, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return !events_.empty(); })) return false;
    out = std::move(events_.front());
    events_.pop_front();
    return true;
}

}  // namespace hy
