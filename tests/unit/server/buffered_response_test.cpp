#include "server/buffered_response.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server/connection_probe.h"

namespace hy::server {
namespace {

TEST(BufferedResponse, StatusOfErrorEnvelopes) {
    EXPECT_EQ(status_of_body(R"({"id":"cmpl-1","choices":[]})"), 200);
    EXPECT_EQ(status_of_body(
                  R"({"error":{"message":"boom","type":"InternalServerError","param":null,"code":500}})"),
              500);
    EXPECT_EQ(status_of_body(R"({"error":{"message":"x","type":"BadRequestError","code":400}})"), 400);
    EXPECT_EQ(status_of_body(R"({"type":"error","error":{"type":"api_error","message":"boom"}})"), 500);
    EXPECT_EQ(status_of_body(R"({"type":"error","error":{"type":"overloaded_error","message":"x"}})"), 529);
    // The word inside content is not an envelope.
    EXPECT_EQ(status_of_body(R"({"choices":[{"text":"\"error\": nothing"}]})"), 200);
    EXPECT_EQ(status_of_body(" "), 200);
}

TEST(BufferedResponse, EngineErrorAfterGenerationIsA500) {
    BufferedBody b = run_buffered(
        [](api::BodyWriter& w) {
            EXPECT_FALSE(w.client_gone());
            w.write(R"({"error":{"message":"generation failed","type":"InternalServerError","code":500}})");
        },
        [] { return false; });
    EXPECT_EQ(b.status, 500);
    EXPECT_NE(b.body.find("generation failed"), std::string::npos);
    EXPECT_FALSE(b.client_gone);
}

TEST(BufferedResponse, ThrowingProducerBecomesAnErrorResponse) {
    BufferedBody b =
        run_buffered([](api::BodyWriter&) { throw std::runtime_error("kaput"); }, [] { return false; });
    EXPECT_EQ(b.status, 500);
    EXPECT_NE(b.body.find("kaput"), std::string::npos);
}

TEST(BufferedResponse, ClientGoneIsReportedToTheProducer) {
    int polls = 0;
    BufferedBody b = run_buffered(
        [](api::BodyWriter& w) {
            while (!w.client_gone()) {
            }
            EXPECT_FALSE(w.write("x"));
        },
        [&] { return ++polls >= 3; });
    EXPECT_TRUE(b.client_gone);
    EXPECT_EQ(polls, 3);
}

// A real loopback connection: the probe finds the accepted socket by its address pair, sees the peer
// alive (also with unread pipelined bytes), then sees it close.
TEST(ConnectionProbe, FindsTheConnectionAndSeesThePeerClose) {
    const int lst = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(lst, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(lst, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(listen(lst, 1), 0);
    socklen_t len = sizeof a;
    ASSERT_EQ(getsockname(lst, reinterpret_cast<sockaddr*>(&a), &len), 0);
    const int cli = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_EQ(connect(cli, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    const int srv = accept(lst, nullptr, nullptr);
    ASSERT_GE(srv, 0);
    sockaddr_in peer{};
    len = sizeof peer;
    ASSERT_EQ(getpeername(srv, reinterpret_cast<sockaddr*>(&peer), &len), 0);

    ConnectionProbe probe("127.0.0.1", ntohs(peer.sin_port), "127.0.0.1", ntohs(a.sin_port));
    ASSERT_TRUE(probe.found());
    EXPECT_FALSE(probe.peer_closed());
    ASSERT_EQ(send(cli, "GET", 3, 0), 3);  // unread bytes: still connected
    usleep(10000);
    EXPECT_FALSE(probe.peer_closed());
    close(cli);
    usleep(10000);
    EXPECT_TRUE(probe.peer_closed());

    EXPECT_FALSE(ConnectionProbe("127.0.0.1", 1, "127.0.0.1", 2).found());
    close(srv);
    close(lst);
}

}  // namespace
}  // namespace hy::server
