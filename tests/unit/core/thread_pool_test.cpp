// ThreadPool: every index is visited exactly once per region, thread indices stay in range, and
// many back-to-back regions (the decode pattern) complete.
#include "core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace hy {
namespace {

TEST(ThreadPool, CoversEveryIndexOnce) {
    for (int threads : {1, 2, 3}) {
        ThreadPool pool(threads);
        EXPECT_EQ(pool.size(), threads);
        for (int64_t n : {1, 2, 7, 1000}) {
            std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
            std::atomic<bool> bad_tid{false};
            pool.parallel_for(n, 1, [&](int64_t b, int64_t e, int tid) {
                if (tid < 0 || tid >= threads) bad_tid = true;
                for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)]++;
            });
            for (auto& h : hits) EXPECT_EQ(h.load(), 1);
            EXPECT_FALSE(bad_tid.load());
        }
    }
}

TEST(ThreadPool, ManySmallRegions) {
    ThreadPool pool(2);
    std::atomic<int64_t> sum{0};
    for (int r = 0; r < 2000; ++r) pool.parallel_for(4, 1, [&](int64_t b, int64_t e, int) { sum += e - b; });
    EXPECT_EQ(sum.load(), 8000);
    EXPECT_GE(ThreadPool::default_threads(), 1);
}

// The caller does not wait for workers that join late, so a late worker must never run a chunk of
// an old region or touch a finished one: back-to-back regions of every size, each writing only its
// own buffer, see every index exactly once and nothing else.
TEST(ThreadPool, LateWorkersNeverRunAFinishedRegion) {
    ThreadPool pool(3);
    for (int r = 0; r < 20000; ++r) {
        const int64_t n = 1 + r % 37;
        std::vector<int> hits(static_cast<size_t>(n), 0);
        pool.parallel_for(n, 1, [&](int64_t b, int64_t e, int) {
            for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)] += 1;
        });
        for (int h : hits) ASSERT_EQ(h, 1) << "region " << r;
    }
}

// Both sleeps: idle gaps longer than the workers' spin (they sleep, and the next region must wake
// them: else the workers never take a chunk again) and chunks longer than the caller's spin (it
// sleeps, and the last worker must wake it: else the test hangs).
TEST(ThreadPool, WakesSleepingWorkersAndCaller) {
    ThreadPool pool(3);
    std::atomic<int> worker_chunks{0};
    for (int r = 0; r < 30; ++r) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        std::vector<std::atomic<int>> hits(8);
        pool.parallel_for(8, 1, [&](int64_t b, int64_t e, int tid) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            if (tid != 0) worker_chunks++;
            for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)]++;
        });
        for (auto& h : hits) ASSERT_EQ(h.load(), 1) << "region " << r;
    }
    EXPECT_GT(worker_chunks.load(), 0);
}

}  // namespace
}  // namespace hy
