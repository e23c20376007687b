// A burst of connections to a bound server whose accept loop is not running completes only as far as
// the kernel's accept queue reaches: httplib's own backlog (5) leaves the rest retrying their SYN a
// second later, the raised one takes them all (listen_backlog.h).
#include "server/listen_backlog.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <vector>

namespace hy::server {
namespace {

// Starts `n` non-blocking connects to 127.0.0.1:port; returns how many completed within `ms`.
int connects_completed(int port, int n, int ms) {
    std::vector<int> fds;
    for (int i = 0; i < n; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<uint16_t>(port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        const int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
        EXPECT_TRUE(rc == 0 || errno == EINPROGRESS);
        fds.push_back(fd);
    }
    std::vector<pollfd> p;
    for (int fd : fds) p.push_back({fd, POLLOUT, 0});
    int done = 0;
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (done < n && std::chrono::steady_clock::now() < end) {
        std::vector<pollfd> pending;
        for (const pollfd& q : p)
            if (!(q.revents & POLLOUT)) pending.push_back(q);
        ::poll(pending.data(), pending.size(), 10);
        for (const pollfd& q : pending)
            if (q.revents & POLLOUT)
                for (pollfd& o : p)
                    if (o.fd == q.fd) o.revents = q.revents;
        done = 0;
        for (const pollfd& q : p) done += (q.revents & POLLOUT) != 0;
    }
    for (int fd : fds) ::close(fd);
    return done;
}

TEST(ListenBacklog, RaisedBacklogTakesABurstOfConnections) {
    httplib::Server s;
    const ListenBacklog backlog(s);
    const int port = s.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port, 0);
    ASSERT_TRUE(backlog.raise(256));
    EXPECT_EQ(connects_completed(port, 64, 500), 64);
}

TEST(ListenBacklog, HttplibDefaultBacklogDropsTheRest) {
    httplib::Server s;
    const int port = s.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port, 0);
    EXPECT_LT(connects_completed(port, 64, 300), 64);  // what the raise above is for
}

TEST(ListenBacklog, NothingToRaiseBeforeBind) {
    httplib::Server s;
    const ListenBacklog backlog(s);
    EXPECT_FALSE(backlog.raise(256));
}

}  // namespace
}  // namespace hy::server
