// Issue 6's "16 streams vs one" figures from a repeated sweep (bench-serve --rounds): every round runs
// all the levels back to back, so each ratio compares levels measured seconds apart, and the median
// over rounds holds up when the machine drifts between speed regimes (on the shared 2-core machine one
// binary's one-stream rate moved by 25% within minutes, docs/engine.md "Session 9").
#pragma once

#include <map>
#include <vector>

#include "cli/bench_stats.h"

namespace hy::cli {

struct LevelFigures {
    int round = 0;
    int concurrency = 1;
    double aggregate = 0;   // aggregate_decode_throughput
    double full_width = 0;  // full_width_decode_throughput (0: no window)
};

struct LevelScaling {
    int concurrency = 1;
    std::vector<double> aggregate, full_width;  // per round: the level's figure over one stream's
    double aggregate_median = 0, full_width_median = 0;
};

// One entry per level other than 1, for the rounds that also measured one stream; empty without it.
inline std::vector<LevelScaling> round_scaling(const std::vector<LevelFigures>& results) {
    std::map<int, const LevelFigures*> one;  // round -> its one-stream figures
    for (const auto& r : results)
        if (r.concurrency == 1) one[r.round] = &r;
    std::map<int, LevelScaling> by_level;
    for (const auto& r : results) {
        const auto base = one.find(r.round);
        if (r.concurrency == 1 || base == one.end()) continue;
        LevelScaling& s = by_level[r.concurrency];
        s.concurrency = r.concurrency;
        if (base->second->aggregate > 0) s.aggregate.push_back(r.aggregate / base->second->aggregate);
        if (base->second->full_width > 0 && r.full_width > 0)
            s.full_width.push_back(r.full_width / base->second->full_width);
    }
    std::vector<LevelScaling> out;
    for (auto& [c, s] : by_level) {
        if (!s.aggregate.empty()) s.aggregate_median = median(s.aggregate);
        if (!s.full_width.empty()) s.full_width_median = median(s.full_width);
        out.push_back(s);
    }
    return out;
}

}  // namespace hy::cli
