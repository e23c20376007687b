// SinkWriter (server/sink_writer.h): chunked framing on the socket itself, and writes under
// NonBlockingWrites that never wait for a client that stopped reading.
#include "server/sink_writer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "api/nonblocking_writes.h"

namespace hy::server {
namespace {

struct SocketPair {
    int server = -1, client = -1;
    SocketPair() {
        int fds[2];
        EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
        server = fds[0];
        client = fds[1];
        int small = 4096;  // a send buffer that a few KiB fill
        setsockopt(server, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
        setsockopt(client, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    }
    ~SocketPair() {
        close(server);
        close(client);
    }
    std::string read_available() const {
        std::string out;
        char buf[65536];
        for (ssize_t n; (n = recv(client, buf, sizeof buf, MSG_DONTWAIT)) > 0;)
            out.append(buf, static_cast<size_t>(n));
        return out;
    }
};

SinkWriter::SinkWrite no_sink() {
    return [](const char*, size_t) {
        ADD_FAILURE() << "the socket path must not use httplib's sink";
        return false;
    };
}

TEST(SinkWriter, FramesEachWriteAsOneChunkOnTheSocket) {
    SocketPair p;
    SinkWriter w(no_sink(), p.server, true, std::chrono::milliseconds(1000));
    EXPECT_TRUE(w.write("data: a\n\n"));
    EXPECT_TRUE(w.write(""));  // an empty chunk would end the response: skipped
    EXPECT_TRUE(w.write(std::string(300, 'x')));
    EXPECT_EQ(p.read_available(), "9\r\ndata: a\n\n\r\n12c\r\n" + std::string(300, 'x') + "\r\n");
}

TEST(SinkWriter, NonBlockingWritesKeepWhatTheSocketRefusesInOrder) {
    SocketPair p;
    SinkWriter w(no_sink(), p.server, true, std::chrono::milliseconds(1000));
    std::string expected;
    bool deferred = false;
    {
        api::NonBlockingWrites scope;  // the engine's thread: must return at once
        for (int i = 0; i < 200 && !scope.deferred(); ++i) {
            const std::string chunk = "data: " + std::to_string(i) + std::string(500, '.') + "\n\n";
            EXPECT_TRUE(w.write(chunk));
            expected += chunk;
        }
        deferred = scope.deferred();
    }
    ASSERT_TRUE(deferred) << "a 4 KiB socket buffer should fill";
    EXPECT_GT(w.kept_bytes(), 0u);
    // The request's own thread flushes (blocking) while the client reads.
    std::string got;
    std::thread reader([&] {
        char buf[4096];
        for (ssize_t n; (n = recv(p.client, buf, sizeof buf, 0)) > 0;)
            got.append(buf, static_cast<size_t>(n));
    });
    EXPECT_TRUE(w.flush());
    EXPECT_EQ(w.kept_bytes(), 0u);
    shutdown(p.server, SHUT_WR);
    reader.join();
    // De-chunk what arrived: it is every write, in order.
    std::string body;
    for (size_t at = 0; at < got.size();) {
        const size_t eol = got.find("\r\n", at);
        ASSERT_NE(eol, std::string::npos);
        const size_t n = std::stoul(got.substr(at, eol - at), nullptr, 16);
        body += got.substr(eol + 2, n);
        at = eol + 2 + n + 2;
    }
    EXPECT_EQ(body, expected);
}

TEST(SinkWriter, AClosedPeerFailsTheWrite) {
    SocketPair p;
    SinkWriter w(no_sink(), p.server, true, std::chrono::milliseconds(1000));
    close(p.client);
    p.client = -1;
    EXPECT_FALSE(w.write("data: x\n\n"));
    EXPECT_TRUE(w.client_gone());
}

TEST(SinkWriter, WithoutTheSocketNonBlockingWritesWaitForTheRequestsThread) {
    std::vector<std::string> sunk;
    SinkWriter w([&](const char* d, size_t n) { return sunk.emplace_back(d, n), true; }, -1, true,
                 std::chrono::milliseconds(1000));
    {
        api::NonBlockingWrites scope;
        EXPECT_TRUE(w.write("one"));
        EXPECT_TRUE(w.write("two"));
        EXPECT_TRUE(scope.deferred());
    }
    EXPECT_TRUE(sunk.empty());
    EXPECT_TRUE(w.write("three"));  // blocking: what was kept goes first
    EXPECT_EQ(sunk, (std::vector<std::string>{"one", "two", "three"}));
}

}  // namespace
}  // namespace hy::server
