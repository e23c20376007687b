#include "core/thread_pool.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <string>
#include <utility>

namespace hy {

ThreadPool::ThreadPool(int n_threads) {
    n_threads_ = n_threads > 0 ? n_threads : default_threads();
    threads_.reserve(static_cast<size_t>(n_threads_ - 1));
    for (int i = 1; i < n_threads_; ++i) threads_.emplace_back([this, i] { worker(i); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
}

int ThreadPool::default_threads() {
    // Count distinct (physical id, core id) pairs in /proc/cpuinfo; fall back to logical CPUs.
    std::ifstream in("/proc/cpuinfo");
    std::set<std::pair<std::string, std::string>> cores;
    std::string line, phys;
    while (std::getline(in, line)) {
        auto value = [&] {
            return line.substr(line.find(':') == std::string::npos ? line.size() : line.find(':') + 1);
        };
        if (line.rfind("physical id", 0) == 0) phys = value();
        if (line.rfind("core id", 0) == 0) cores.emplace(phys, value());
    }
    const int logical = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    if (cores.empty()) return logical;
    return std::min(logical, static_cast<int>(cores.size()));
}

void ThreadPool::work(int index) {
    // Guided self-scheduling: each take is a share of what is left (at least the grain), so the
    // first takes are long contiguous runs (decode GEMV rows stream as long sequential reads) and
    // the last ones short, and the threads finish within about one grain of each other. Equal
    // fixed chunks left one thread idle for up to a whole chunk at the end of every region.
    int64_t b = next_.load(std::memory_order_relaxed);
    for (;;) {
        if (b >= n_) break;
        const int64_t c = std::min(n_ - b, std::max(grain_, (n_ - b) / (2 * n_threads_)));
        if (!next_.compare_exchange_weak(b, b + c, std::memory_order_relaxed)) continue;
        task_(ctx_, b, b + c, index);
        b = next_.load(std::memory_order_relaxed);
    }
}

namespace {
constexpr int kSpin = 2000;  // pause is 10–140 cycles: tens to hundreds of microseconds
inline void cpu_relax() {
    __builtin_ia32_pause();
}
}  // namespace

void ThreadPool::run(int64_t n, int64_t grain, Task task, void* ctx) {
    task_ = task;
    ctx_ = ctx;
    n_ = n;
    grain_ = grain;
    next_.store(0, std::memory_order_relaxed);
    uint64_t g;
    {
        std::lock_guard<std::mutex> lock(mu_);
        g = generation_.load(std::memory_order_relaxed) + 1;
        open_.store(g, std::memory_order_seq_cst);
        generation_.store(g, std::memory_order_release);
    }
    wake_.notify_all();
    work(0);
    // Close the region, then wait only for the workers that joined it. On a machine whose cores
    // are shared with the HTTP threads (and a bench client), a worker is often preempted or still
    // waking when the caller has taken the last chunk; waiting for it to arrive and find nothing
    // left cost the caller that worker's whole delay, every region. Closing and joining are a
    // store then a load on each side (open_ / active_, both seq_cst), so either the worker sees the
    // region closed and leaves task_ alone, or the caller sees it inside and waits for it.
    open_.store(0, std::memory_order_seq_cst);
    for (int i = 0; i < kSpin && active_.load(std::memory_order_seq_cst) > 0; ++i) cpu_relax();
    if (active_.load(std::memory_order_seq_cst) > 0) {
        std::unique_lock<std::mutex> lock(mu_);
        done_.wait(lock, [this] { return active_.load(std::memory_order_acquire) == 0; });
    }
}

void ThreadPool::worker(int index) {
    uint64_t seen = 0;
    for (;;) {
        for (int i = 0; i < kSpin && generation_.load(std::memory_order_acquire) == seen; ++i) cpu_relax();
        if (generation_.load(std::memory_order_acquire) == seen) {
            std::unique_lock<std::mutex> lock(mu_);
            wake_.wait(lock, [&] { return stop_ || generation_.load(std::memory_order_acquire) != seen; });
        }
        {
            std::lock_guard<std::mutex> lock(mu_);
            if (stop_) return;
        }
        seen = generation_.load(std::memory_order_acquire);
        active_.fetch_add(1, std::memory_order_seq_cst);
        if (open_.load(std::memory_order_seq_cst) == seen) work(index);
        if (active_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            std::lock_guard<std::mutex> lock(mu_);
            done_.notify_one();
        }
    }
}

}  // namespace hy
