#include "cli/stream_client.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <deque>
#include <memory>

#include "cli/sse_events.h"
#include "core/ascii.h"
#include "core/error.h"

namespace hy::cli {

namespace {

constexpr size_t kBodyHeadBytes = 300;

// RAII for the epoll descriptor.
struct Fd {
    int fd = -1;
    explicit Fd(int f) : fd(f) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

bool iequals_prefix(std::string_view line, std::string_view name) {
    if (line.size() < name.size()) return false;
    for (size_t i = 0; i < name.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
    return true;
}

// One connection and the request on it. The response is parsed as bytes arrive: the header block,
// then a chunked body (what a streaming server sends) or a Content-Length one (its errors).
struct Conn {
    enum class Phase { Idle, Headers, ChunkSize, ChunkData, ChunkEnd, Trailer, Body };

    int fd = -1;
    size_t req = 0;
    Phase phase = Phase::Idle;
    std::string out;  // unsent request bytes
    size_t out_off = 0;
    std::string in;        // received, not yet parsed
    size_t remaining = 0;  // bytes left in the current chunk, or of a Content-Length body
    bool close_after = false;
    StreamOutcome outcome;
    SseSplitter sse;
    StreamClock::time_point last_io;

    ~Conn() { drop(); }
    void drop() {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
};

class Loop {
  public:
    Loop(const StreamTarget& t, const std::string& path, const std::vector<std::string>& bodies,
         const StreamCallbacks& cb)
        : t_(t), path_(path), bodies_(bodies), cb_(cb), ep_(::epoll_create1(EPOLL_CLOEXEC)) {
        if (ep_.fd < 0) throw Error(std::string("epoll_create1: ") + std::strerror(errno));
        resolve();
    }

    void run(int concurrency) {
        const size_t n = std::min(bodies_.size(), static_cast<size_t>(std::max(concurrency, 1)));
        for (size_t i = 0; i < n; ++i) {
            conns_.push_back(std::make_unique<Conn>());
            start_next(*conns_.back());
        }
        std::vector<epoll_event> events(conns_.size());
        while (finished_ < bodies_.size()) {
            const int k = ::epoll_wait(ep_.fd, events.data(), static_cast<int>(events.size()), 200);
            if (k < 0 && errno != EINTR) throw Error(std::string("epoll_wait: ") + std::strerror(errno));
            for (int e = 0; e < std::max(k, 0); ++e) {
                Conn& c = *static_cast<Conn*>(events[static_cast<size_t>(e)].data.ptr);
                if (c.phase == Conn::Phase::Idle) continue;
                if (events[static_cast<size_t>(e)].events & EPOLLOUT) write_some(c);
                if (c.phase != Conn::Phase::Idle &&
                    (events[static_cast<size_t>(e)].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                    read_some(c);
            }
            expire_stalled();
        }
    }

  private:
    void resolve() {
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* res = nullptr;
        const std::string port = std::to_string(t_.port);
        if (const int rc = ::getaddrinfo(t_.host.c_str(), port.c_str(), &hints, &res); rc != 0 || !res)
            throw Error("cannot resolve " + t_.host + ": " + ::gai_strerror(rc));
        std::memcpy(&addr_, res->ai_addr, res->ai_addrlen);
        addr_len_ = res->ai_addrlen;
        family_ = res->ai_family;
        ::freeaddrinfo(res);
    }

    // Connects (blocking: a loopback or LAN connect is immediate), then works non-blocking.
    bool open(Conn& c) {
        c.fd = ::socket(family_, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c.fd < 0) return false;
        if (::connect(c.fd, reinterpret_cast<const sockaddr*>(&addr_), addr_len_) != 0) {
            c.drop();
            return false;
        }
        const int one = 1;
        ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        ::fcntl(c.fd, F_SETFL, ::fcntl(c.fd, F_GETFL) | O_NONBLOCK);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.ptr = &c;
        ::epoll_ctl(ep_.fd, EPOLL_CTL_ADD, c.fd, &ev);
        return true;
    }

    void start_next(Conn& c) {
        if (next_ >= bodies_.size()) {
            c.drop();
            return;
        }
        c.req = next_++;
        c.outcome = StreamOutcome{};
        c.sse = SseSplitter{};
        c.in.clear();
        c.close_after = false;
        c.outcome.started = StreamClock::now();
        if (c.fd < 0 && !open(c)) {
            fail(c, std::string("cannot connect to ") + t_.host + ":" + std::to_string(t_.port) + ": " +
                        std::strerror(errno));
            return;
        }
        const std::string& body = bodies_[c.req];
        const bool v6 = t_.host.find(':') != std::string::npos;  // an IPv6 literal goes in brackets
        c.out = "POST " + path_ + " HTTP/1.1\r\nHost: " + (v6 ? "[" + t_.host + "]" : t_.host) + ":" +
                std::to_string(t_.port) +
                "\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\nContent-Length: " +
                std::to_string(body.size()) + "\r\n";
        for (const auto& [k, v] : t_.headers) c.out += k + ": " + v + "\r\n";
        c.out += "\r\n";
        c.out += body;
        c.out_off = 0;
        c.phase = Conn::Phase::Headers;
        c.last_io = c.outcome.started;
        write_some(c);
    }

    void write_some(Conn& c) {
        while (c.out_off < c.out.size()) {
            const ssize_t w = ::send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
            if (w > 0) {
                c.out_off += static_cast<size_t>(w);
                continue;
            }
            if (w < 0 && errno == EINTR) continue;
            if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                watch(c, EPOLLIN | EPOLLOUT);
                return;
            }
            fail(c, std::string("send: ") + std::strerror(errno));
            return;
        }
        watch(c, EPOLLIN);
    }

    void watch(Conn& c, uint32_t events) {
        epoll_event ev{};
        ev.events = events;
        ev.data.ptr = &c;
        ::epoll_ctl(ep_.fd, EPOLL_CTL_MOD, c.fd, &ev);
    }

    void read_some(Conn& c) {
        char buf[65536];
        for (;;) {
            const ssize_t r = ::recv(c.fd, buf, sizeof buf, 0);
            if (r > 0) {
                c.last_io = StreamClock::now();
                c.in.append(buf, static_cast<size_t>(r));
                if (!parse(c, c.last_io)) return;  // the request finished (and the next may have started)
                continue;
            }
            if (r < 0 && errno == EINTR) continue;
            if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
            fail(c, r == 0 ? "the server closed the connection before the response ended"
                           : std::string("recv: ") + std::strerror(errno));
            return;
        }
    }

    // Consumes what c.in holds; false once the response is complete (c then serves the next request).
    bool parse(Conn& c, StreamClock::time_point at) {
        size_t pos = 0;
        auto wait_for_more = [&] {  // keep the unparsed tail for the next read
            c.in.erase(0, pos);
            return true;
        };
        for (;;) {
            switch (c.phase) {
                case Conn::Phase::Idle:
                    return false;
                case Conn::Phase::Headers: {
                    const size_t end = c.in.find("\r\n\r\n", pos);
                    if (end == std::string::npos) return wait_for_more();
                    read_headers(c, std::string_view(c.in).substr(pos, end - pos));
                    pos = end + 4;
                    if (c.phase == Conn::Phase::Body && c.remaining == 0) return complete(c, at);
                    break;
                }
                case Conn::Phase::ChunkSize: {
                    const size_t end = c.in.find("\r\n", pos);
                    if (end == std::string::npos) return wait_for_more();
                    c.remaining = std::strtoul(c.in.c_str() + pos, nullptr, 16);  // stops at ';' extensions
                    pos = end + 2;
                    c.phase = c.remaining == 0 ? Conn::Phase::Trailer : Conn::Phase::ChunkData;
                    break;
                }
                case Conn::Phase::ChunkData:
                case Conn::Phase::Body: {
                    const size_t n = std::min(c.remaining, c.in.size() - pos);
                    deliver(c, c.in.data() + pos, n, at);
                    pos += n;
                    c.remaining -= n;
                    if (c.remaining > 0) return wait_for_more();
                    if (c.phase == Conn::Phase::Body) return complete(c, at);
                    c.phase = Conn::Phase::ChunkEnd;
                    break;
                }
                case Conn::Phase::ChunkEnd:
                    if (c.in.size() - pos < 2) return wait_for_more();
                    pos += 2;
                    c.phase = Conn::Phase::ChunkSize;
                    break;
                case Conn::Phase::Trailer: {
                    const size_t end = c.in.find("\r\n", pos);
                    if (end == std::string::npos) return wait_for_more();
                    const bool last = end == pos;  // the blank line after any trailers
                    pos = end + 2;
                    if (last) return complete(c, at);
                    break;
                }
            }
        }
    }

    void read_headers(Conn& c, std::string_view block) {
        // "HTTP/1.1 200 OK"
        const size_t sp = block.find(' ');
        c.outcome.status =
            sp == std::string_view::npos ? 0 : std::atoi(std::string(block.substr(sp + 1, 3)).c_str());
        bool chunked = false;
        size_t length = 0;
        for (size_t start = block.find("\r\n"); start != std::string_view::npos;) {
            start += 2;
            const size_t end = block.find("\r\n", start);
            const std::string_view line =
                block.substr(start, end == std::string_view::npos ? end : end - start);
            if (iequals_prefix(line, "transfer-encoding:"))
                chunked = ascii_lower(line).find("chunked") != std::string::npos;
            else if (iequals_prefix(line, "content-length:"))
                length = std::strtoul(std::string(line.substr(15)).c_str(), nullptr, 10);
            else if (iequals_prefix(line, "connection:"))
                c.close_after = ascii_lower(line).find("close") != std::string::npos;
            start = end;
        }
        c.phase = chunked ? Conn::Phase::ChunkSize : Conn::Phase::Body;
        c.remaining = chunked ? 0 : length;
    }

    void deliver(Conn& c, const char* data, size_t n, StreamClock::time_point at) {
        if (c.outcome.status == 200) {
            c.sse.feed(data, n, [&](std::string_view payload) { cb_.on_data(c.req, payload, at); });
        } else if (c.outcome.body_head.size() < kBodyHeadBytes) {
            c.outcome.body_head.append(data, std::min(n, kBodyHeadBytes - c.outcome.body_head.size()));
        }
    }

    bool complete(Conn& c, StreamClock::time_point at) {
        c.phase = Conn::Phase::Idle;
        ++finished_;
        cb_.on_finish(c.req, c.outcome, at);
        if (c.close_after) {
            ::epoll_ctl(ep_.fd, EPOLL_CTL_DEL, c.fd, nullptr);
            c.drop();
        }
        start_next(c);
        return false;
    }

    void fail(Conn& c, std::string error) {
        if (c.fd >= 0) ::epoll_ctl(ep_.fd, EPOLL_CTL_DEL, c.fd, nullptr);
        c.drop();
        c.phase = Conn::Phase::Idle;
        c.outcome.status = 0;
        c.outcome.error = std::move(error);
        ++finished_;
        cb_.on_finish(c.req, c.outcome, StreamClock::now());
        start_next(c);
    }

    void expire_stalled() {
        const auto now = StreamClock::now();
        for (auto& c : conns_)
            if (c->phase != Conn::Phase::Idle &&
                std::chrono::duration<double>(now - c->last_io).count() > t_.timeout_s)
                fail(*c, "timed out: nothing received for " + std::to_string(t_.timeout_s) + " s");
    }

    const StreamTarget& t_;
    const std::string& path_;
    const std::vector<std::string>& bodies_;
    const StreamCallbacks& cb_;
    Fd ep_;
    sockaddr_storage addr_{};
    socklen_t addr_len_ = 0;
    int family_ = AF_INET;
    std::deque<std::unique_ptr<Conn>> conns_;
    size_t next_ = 0, finished_ = 0;
};

}  // namespace

void run_streams(const StreamTarget& target, const std::string& path, const std::vector<std::string>& bodies,
                 int concurrency, const StreamCallbacks& callbacks) {
    if (bodies.empty()) return;
    Loop(target, path, bodies, callbacks).run(concurrency);
}

}  // namespace hy::cli
