#include "kernels/mem_bandwidth.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <vector>

#include "core/huge_pages.h"

namespace hy::kernels {

namespace {

// Integer sums vectorise at -O2/-O3 without reassociation flags; eight independent lanes keep enough
// loads in flight for the hardware prefetchers. The result feeds a volatile so the loop stays.
uint64_t sum_words(const uint64_t* p, int64_t n) {
    uint64_t s[8] = {};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; ++j) s[j] += p[i + j];
    for (; i < n; ++i) s[0] += p[i];
    uint64_t t = 0;
    for (uint64_t v : s) t += v;
    return t;
}

}  // namespace

BandwidthResult measure_read_bandwidth(ThreadPool& pool, const ReadProbe& probe) {
    const int64_t words = static_cast<int64_t>(probe.bytes / 8);
    HugePageRegion huge;
    std::unique_ptr<uint64_t[]> plain;
    uint64_t* buf = nullptr;
    if (probe.huge_pages) {
        huge = HugePageRegion(static_cast<size_t>(words) * 8);
        buf = reinterpret_cast<uint64_t*>(huge.data());
    } else {
        plain.reset(new uint64_t[static_cast<size_t>(words)]);
        buf = plain.get();
    }
    const int nt = pool.size();
    // First touch by the threads that read it (pages land on their NUMA node).
    pool.parallel_for(nt, 1, [&](int64_t b, int64_t e, int) {
        for (int64_t t = b; t < e; ++t) {
            const int64_t lo = words * t / nt, hi = words * (t + 1) / nt;
            for (int64_t i = lo; i < hi; ++i) buf[i] = static_cast<uint64_t>(i);
        }
    });
    const int64_t seg =
        probe.segment_bytes ? std::max<int64_t>(1, static_cast<int64_t>(probe.segment_bytes / 8)) : words;
    std::vector<double> rates;
    std::vector<uint64_t> sink(static_cast<size_t>(nt));
    for (int p = 0; p < probe.passes; ++p) {
        const auto t0 = std::chrono::steady_clock::now();
        for (int64_t s0 = 0; s0 < words; s0 += seg) {
            const int64_t len = std::min(seg, words - s0);
            pool.parallel_for(nt, 1, [&](int64_t b, int64_t e, int) {
                for (int64_t t = b; t < e; ++t) {
                    const int64_t lo = s0 + len * t / nt, hi = s0 + len * (t + 1) / nt;
                    sink[static_cast<size_t>(t)] += sum_words(buf + lo, hi - lo);
                }
            });
        }
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        rates.push_back(static_cast<double>(words * 8) / s / 1e9);
    }
    volatile uint64_t keep = 0;
    for (uint64_t v : sink) keep = keep + v;
    std::sort(rates.begin(), rates.end());
    BandwidthResult r;
    r.best_gb_s = rates.back();
    r.median_gb_s = rates[rates.size() / 2];
    r.bytes = static_cast<uint64_t>(words) * 8;
    r.passes = probe.passes;
    return r;
}

BandwidthResult measure_read_bandwidth(ThreadPool& pool, uint64_t bytes, int passes) {
    ReadProbe probe;
    probe.bytes = bytes;
    probe.passes = passes;
    return measure_read_bandwidth(pool, probe);
}

}  // namespace hy::kernels
