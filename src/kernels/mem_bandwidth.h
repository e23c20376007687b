// A STREAM-style read bandwidth probe (issue 10: the bench reports the fraction of a bandwidth it
// measures itself). Weights are only read during inference, so the probe only reads: every thread of
// the pool sums its share of a buffer much larger than the last-level cache.
#pragma once

#include <cstdint>

#include "core/thread_pool.h"

namespace hy::kernels {

struct BandwidthResult {
    double best_gb_s = 0;    // fastest pass (STREAM reports the best of its trials)
    double median_gb_s = 0;  // middle pass
    uint64_t bytes = 0;      // buffer size
    int passes = 0;
};

// What the probe reads and how.
struct ReadProbe {
    uint64_t bytes = uint64_t{1} << 30;
    // 0: the whole buffer in one parallel region, each thread one contiguous share (the issue's
    // probe). Otherwise consecutive segments of this size, one parallel region per segment with each
    // thread a contiguous share of it: the shape of a decode step, which reads hundreds of 0.5-3 MB
    // matrices with a barrier after each.
    uint64_t segment_bytes = 0;
    bool huge_pages = false;  // 2 MiB pages (core/huge_pages.h) instead of new[]'s 4 KiB pages
    int passes = 7;
};

BandwidthResult measure_read_bandwidth(ThreadPool& pool, const ReadProbe& probe);
BandwidthResult measure_read_bandwidth(ThreadPool& pool, uint64_t bytes = uint64_t{1} << 30, int passes = 7);

}  // namespace hy::kernels
