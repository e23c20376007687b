// A persistent worker pool: threads are created once and reused for every parallel region, so a
// decode step never creates threads or allocates (issue 3: "no heap allocation per decoded token").
// parallel_for splits [0, n) into chunks taken from an atomic counter (guided: long chunks first,
// grain-sized ones last) and returns only when all are done; the calling thread works too. A worker
// that has not joined a region by the time its chunks are all taken is not waited for (see run()).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace hy {

class ThreadPool {
  public:
    // n_threads counts the calling thread; 0 means default_threads().
    explicit ThreadPool(int n_threads = 0);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return n_threads_; }

    // Calls fn(begin, end, thread_index) over chunks covering [0, n); chunks are at least `grain`
    // long. thread_index < size() identifies the worker (for per-thread scratch buffers).
    template <class F>
    void parallel_for(int64_t n, int64_t grain, F&& fn) {
        if (n <= 0) return;
        if (grain < 1) grain = 1;
        if (n_threads_ == 1 || n <= grain) {
            fn(int64_t{0}, n, 0);
            return;
        }
        auto call = [](void* ctx, int64_t b, int64_t e, int tid) { (*static_cast<F*>(ctx))(b, e, tid); };
        run(n, grain, call, &fn);
    }

    // Physical cores when they can be counted (sibling hyper-threads share the FPUs), else logical.
    static int default_threads();

  private:
    using Task = void (*)(void*, int64_t, int64_t, int);
    void run(int64_t n, int64_t grain, Task task, void* ctx);
    void worker(int index);
    void work(int index);

    int n_threads_ = 1;
    std::vector<std::thread> threads_;
    std::mutex mu_;
    std::condition_variable wake_;
    std::condition_variable done_;
    // Workers spin briefly on generation_ before sleeping, and the caller on active_ before
    // waiting: a decode step runs hundreds of small regions, and a condition-variable wake-up per
    // region would cost more than the work.
    std::atomic<uint64_t> generation_{0};
    // The generation that workers may still join (0 once the caller has closed it), and how many
    // workers are inside a region: a join is active_ += 1, then a check of open_.
    std::atomic<uint64_t> open_{0};
    std::atomic<int> active_{0};
    bool stop_ = false;

    // The current parallel region.
    Task task_ = nullptr;
    void* ctx_ = nullptr;
    int64_t n_ = 0;
    int64_t grain_ = 1;
    std::atomic<int64_t> next_{0};
};

}  // namespace hy
