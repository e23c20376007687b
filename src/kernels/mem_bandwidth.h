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

BandwidthResult measure_read_bandwidth(ThreadPool& pool, uint64_t bytes = uint64_t{1} << 30, int passes = 7);

}  // namespace hy::kernels
