// Direct delivery (engine/request_stream.h): the engine's wake-up runs the consumer's handler on its
// own thread when it can, and otherwise wakes the consumer as before.
#include "engine/request_stream.h"

#include <gtest/gtest.h>

#include <thread>

namespace hy {
namespace {

TokenEvent token(int32_t t) {
    TokenEvent ev;
    ev.token = t;
    return ev;
}

TokenEvent final_event() {
    TokenEvent ev;
    ev.finish = FinishReason::LENGTH;
    return ev;
}

struct Consumer {
    RequestStream stream{1};
    std::shared_ptr<DirectDelivery> direct = std::make_shared<DirectDelivery>();
    std::vector<int32_t> handled;

    Consumer() {
        direct->lock = std::make_shared<std::mutex>();
        direct->bell = std::make_shared<Doorbell>();
        direct->handle = [this] {
            TokenEvent ev;
            while (stream.pop_nonfinal(ev)) handled.push_back(ev.token);
            return !stream.has_events();
        };
        stream.set_direct(direct);
    }
};

TEST(RequestStream, WakeHandsTheStepsTokensToTheDirectHandler) {
    Consumer c;
    c.stream.push(token(5), false);
    c.stream.push(token(6), false);
    c.stream.wake();
    EXPECT_EQ(c.handled, (std::vector<int32_t>{5, 6}));
    EXPECT_FALSE(c.stream.has_events());
}

TEST(RequestStream, AFinalEventIsLeftForTheConsumersThreadAndRingsItsBell) {
    Consumer c;
    c.stream.push(token(5), false);
    c.stream.push(final_event(), false);
    c.stream.wake();
    EXPECT_EQ(c.handled, (std::vector<int32_t>{5}));
    TokenEvent ev;
    EXPECT_FALSE(c.stream.pop_nonfinal(ev));
    c.direct->bell->wait(std::chrono::milliseconds(0));  // rung: returns at once
    ASSERT_TRUE(c.stream.pop(ev, std::chrono::milliseconds(0)));
    EXPECT_EQ(ev.finish, FinishReason::LENGTH);
}

TEST(RequestStream, WhileTheConsumerHoldsTheLockTheEngineOnlyRings) {
    Consumer c;
    std::unique_lock<std::mutex> busy(*c.direct->lock);
    c.stream.push(token(7), false);
    std::thread engine([&] { c.stream.wake(); });  // must not wait for the lock
    engine.join();
    EXPECT_TRUE(c.handled.empty());
    TokenEvent ev;
    ASSERT_TRUE(c.stream.pop(ev, std::chrono::milliseconds(0)));
    EXPECT_EQ(ev.token, 7);
}

TEST(RequestStream, AWithdrawnHandlerIsNotCalled) {
    Consumer c;
    {
        std::lock_guard<std::mutex> hold(*c.direct->lock);
        c.direct->handle = nullptr;
    }
    c.stream.push(token(8));  // push with a wake-up
    EXPECT_TRUE(c.handled.empty());
    TokenEvent ev;
    ASSERT_TRUE(c.stream.pop(ev, std::chrono::milliseconds(0)));
    EXPECT_EQ(ev.token, 8);
}

TEST(RequestStream, WithoutDirectDeliveryWakeOnlyWakes) {
    RequestStream s(2);
    std::thread consumer([&] {
        TokenEvent ev;
        ASSERT_TRUE(s.pop(ev, std::chrono::seconds(10)));
        EXPECT_EQ(ev.token, 3);
    });
    s.push(token(3), false);
    s.wake();
    consumer.join();
}

}  // namespace
}  // namespace hy
