#include "server/sink_writer.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include "api/nonblocking_writes.h"

namespace hy::server {

namespace {

void append_chunk(std::string& out, std::string_view payload) {
    static const char* hex = "0123456789abcdef";
    char size[2 * sizeof(size_t)];
    int n = 0;
    for (size_t v = payload.size(); v > 0; v >>= 4) size[n++] = hex[v & 15];
    while (n > 0) out.push_back(size[--n]);
    out += "\r\n";
    out.append(payload);
    out += "\r\n";
}

}  // namespace

SinkWriter::SinkWriter(SinkWrite sink, int fd, bool sse, std::chrono::milliseconds write_timeout,
                       const std::atomic<bool>* stopping)
    : sink_(std::move(sink)), fd_(fd), sse_(sse), write_timeout_(write_timeout), stopping_(stopping) {}

bool SinkWriter::write(std::string_view data) {
    if (failed_) return false;
    if (data.empty()) return true;  // an empty chunk would end the response
    last_ = Clock::now();
    const bool block = !api::NonBlockingWrites::active();
    if (fd_ >= 0) {
        append_chunk(framed_, data);
        if (!send_framed(block)) return false;
        if (kept_bytes() > 0) api::NonBlockingWrites::defer();
        return true;
    }
    if (!block) {
        held_.emplace_back(data);
        api::NonBlockingWrites::defer();
        return true;
    }
    if (!flush()) return false;
    if (!sink_(data.data(), data.size())) failed_ = true;
    return !failed_;
}

// Sends [sent_, size) of framed_; without `block`, only what the socket takes now.
bool SinkWriter::send_framed(bool block) {
    while (sent_ < framed_.size()) {
        const ssize_t n =
            ::send(fd_, framed_.data() + sent_, framed_.size() - sent_, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            sent_ += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!block) return true;
            pollfd p{fd_, POLLOUT, 0};
            if (::poll(&p, 1, static_cast<int>(write_timeout_.count())) > 0 &&
                !(p.revents & (POLLERR | POLLNVAL)))
                continue;
        }
        failed_ = true;  // the peer is gone (EPIPE, ECONNRESET) or stopped reading for the whole timeout
        return false;
    }
    framed_.clear();
    sent_ = 0;
    return true;
}

bool SinkWriter::flush() {
    if (failed_) return false;
    if (fd_ >= 0) return send_framed(true);
    while (!held_.empty()) {
        if (!sink_(held_.front().data(), held_.front().size())) return failed_ = true, false;
        held_.pop_front();
    }
    return true;
}

bool SinkWriter::client_gone() {
    if (failed_ || (stopping_ && stopping_->load()) || !flush()) return true;
    if (Clock::now() - last_ < std::chrono::milliseconds(500)) return false;
    write(sse_ ? std::string_view(": keep-alive\n\n") : std::string_view(" "));
    return failed_;
}

}  // namespace hy::server
