// The admission window: a lone arrival is admitted at once, a burst once it has gone quiet, and no
// request waits more than kMaxHoldFactor windows.
#include "engine/admission_window.h"

#include <gtest/gtest.h>

namespace hy {
namespace {

using std::chrono::microseconds;
using Clock = AdmissionWindow::Clock;

const Clock::time_point t0 = Clock::time_point{} + std::chrono::hours(1);

TEST(AdmissionWindow, LoneArrivalsAreAdmittedAtOnce) {
    AdmissionWindow w(microseconds(500));
    w.on_arrival(t0);
    EXPECT_LE(w.admit_at(t0), t0);         // the first request ever
    w.on_arrival(t0 + microseconds(800));  // its predecessor is older than the window
    EXPECT_LE(w.admit_at(t0 + microseconds(800)), t0 + microseconds(800));
}

TEST(AdmissionWindow, BurstIsHeldUntilQuiet) {
    AdmissionWindow w(microseconds(500));
    w.on_arrival(t0);  // admitted alone
    w.on_arrival(t0 + microseconds(100));
    EXPECT_EQ(w.admit_at(t0 + microseconds(100)), t0 + microseconds(600));
    w.on_arrival(t0 + microseconds(300));  // each arrival pushes the end of the burst out
    EXPECT_EQ(w.admit_at(t0 + microseconds(100)), t0 + microseconds(800));
}

TEST(AdmissionWindow, HoldIsCappedFromTheOldestWaiting) {
    AdmissionWindow w(microseconds(500));
    Clock::time_point t = t0;
    w.on_arrival(t);
    for (int i = 0; i < 100; ++i) w.on_arrival(t += microseconds(200));  // a steady stream, never quiet
    const Clock::time_point oldest = t0 + microseconds(200);
    EXPECT_EQ(w.admit_at(oldest), oldest + AdmissionWindow::kMaxHoldFactor * microseconds(500));
}

TEST(AdmissionWindow, ZeroWindowNeverHolds) {
    AdmissionWindow w(microseconds(0));
    w.on_arrival(t0);
    w.on_arrival(t0 + microseconds(1));
    EXPECT_LE(w.admit_at(t0), t0);
}

}  // namespace
}  // namespace hy
