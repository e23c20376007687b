// bench-serve's event-loop client (cli/stream_client.h) against a real httplib server: SSE over
// chunked responses, error bodies with Content-Length, a server that closes after each response, and
// no server at all.
#include "cli/stream_client.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace hy::cli {
namespace {

// An httplib server on a free loopback port, stopped when the test ends.
class TestServer {
  public:
    TestServer() {
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~TestServer() {
        server_.stop();
        thread_.join();
    }
    httplib::Server& http() { return server_; }
    int port() const { return port_; }

  private:
    httplib::Server server_;
    std::thread thread_;
    int port_ = 0;
};

// Answers POST /stream with body "N" by streaming events "0" … "N-1" and [DONE], one chunk each.
void serve_counting_stream(httplib::Server& s) {
    s.Post("/stream", [](const httplib::Request& req, httplib::Response& res) {
        const int n = std::stoi(req.body);
        res.set_chunked_content_provider("text/event-stream", [n](size_t, httplib::DataSink& sink) {
            for (int i = 0; i < n; ++i) {
                const std::string ev = "data: " + std::to_string(i) + "\n\n";
                sink.write(ev.data(), ev.size());
            }
            sink.write("data: [DONE]\n\n", 14);
            sink.done();
            return true;
        });
    });
}

struct Collected {
    std::map<size_t, std::vector<std::string>> data;
    std::map<size_t, StreamOutcome> outcomes;
    int finishes = 0;
};

StreamCallbacks collect(Collected& c) {
    return {[&c](size_t i, std::string_view d, StreamClock::time_point) { c.data[i].emplace_back(d); },
            [&c](size_t i, const StreamOutcome& o, StreamClock::time_point) {
                c.outcomes[i] = o;
                ++c.finishes;
            }};
}

TEST(StreamClient, StreamsEveryRequestsEventsInOrderOverKeptAliveConnections) {
    TestServer server;
    serve_counting_stream(server.http());
    const std::vector<std::string> bodies = {"3", "1", "40", "0", "7"};
    Collected got;
    run_streams({"127.0.0.1", server.port(), {}, 10}, "/stream", bodies, 2, collect(got));
    EXPECT_EQ(got.finishes, 5);
    for (size_t i = 0; i < bodies.size(); ++i) {
        EXPECT_EQ(got.outcomes[i].status, 200) << i;
        EXPECT_TRUE(got.outcomes[i].error.empty()) << got.outcomes[i].error;
        std::vector<std::string> want;
        for (int k = 0; k < std::stoi(bodies[i]); ++k) want.push_back(std::to_string(k));
        want.push_back("[DONE]");
        EXPECT_EQ(got.data[i], want) << "request " << i;
    }
}

TEST(StreamClient, AnErrorResponseGivesItsStatusAndTheStartOfItsBody) {
    TestServer server;
    server.http().Post("/stream", [](const httplib::Request&, httplib::Response& res) {
        res.status = 400;
        res.set_content(R"({"error":{"message":"prompt too long"}})", "application/json");
    });
    Collected got;
    run_streams({"127.0.0.1", server.port(), {{"Authorization", "Bearer k"}}, 10}, "/stream", {"{}", "{}"}, 1,
                collect(got));
    ASSERT_EQ(got.finishes, 2);
    EXPECT_EQ(got.outcomes[1].status, 400);
    EXPECT_NE(got.outcomes[1].body_head.find("prompt too long"), std::string::npos);
    EXPECT_TRUE(got.data.empty());
}

TEST(StreamClient, ReconnectsWhenTheServerClosesAfterAResponse) {
    TestServer server;
    server.http().set_keep_alive_max_count(1);  // "Connection: close" on every response
    serve_counting_stream(server.http());
    Collected got;
    run_streams({"127.0.0.1", server.port(), {}, 10}, "/stream", {"2", "2", "2", "2"}, 2, collect(got));
    ASSERT_EQ(got.finishes, 4);
    for (size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(got.outcomes[i].status, 200) << got.outcomes[i].error;
        EXPECT_EQ(got.data[i].size(), 3u);
    }
}

TEST(StreamClient, NoServerFailsEveryRequestWithTheReason) {
    int port = 0;
    {
        TestServer gone;  // a port that was free a moment ago and has nobody listening now
        port = gone.port();
    }
    Collected got;
    run_streams({"127.0.0.1", port, {}, 10}, "/stream", {"1", "1", "1"}, 2, collect(got));
    ASSERT_EQ(got.finishes, 3);
    for (size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(got.outcomes[i].status, 0);
        EXPECT_NE(got.outcomes[i].error.find("cannot connect"), std::string::npos) << got.outcomes[i].error;
    }
}

}  // namespace
}  // namespace hy::cli
