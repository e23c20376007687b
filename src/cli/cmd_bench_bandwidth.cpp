// `hyserve bench-bandwidth`: the read-bandwidth probe of `bench --measure-bandwidth` (issue 10) in
// several shapes, side by side in one process: the probe (one 1 GiB buffer, each thread one
// contiguous half) and probes shaped like a decode step (consecutive segments of a few MB, one
// parallel region and barrier per segment, as each matmul of a decoded token is), each in 4 KiB
// pages (new[]) and in 2 MiB pages (core/huge_pages.h, as the weights are by default). The shapes
// alternate over --rounds so drifting load on a shared machine hits them alike.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/bench_stats.h"
#include "cli/commands.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/mem_bandwidth.h"

namespace hy::cli {

namespace {

struct BandwidthOptions {
    int threads = 0;
    int64_t mib = 1024;
    std::vector<int64_t> segments_kib = {0, 1024, 4096, 12288};
    int passes = 7;
    int rounds = 2;
    bool json = false;
};

void run_bench_bandwidth(const BandwidthOptions& o) {
    if (o.mib < 1 || o.passes < 1 || o.rounds < 1)
        throw Error("bench-bandwidth: --mib, --passes and --rounds must be >= 1");
    for (int64_t s : o.segments_kib)
        if (s < 0) throw Error("bench-bandwidth: --segments-kib must be >= 0 (0: the whole buffer)");
    ThreadPool pool(o.threads);
    struct Row {
        kernels::ReadProbe probe;
        double best = 0;
        std::vector<double> medians;
    };
    std::vector<Row> rows;
    for (int64_t s : o.segments_kib)
        for (bool huge : {false, true}) {
            Row r;
            r.probe.bytes = static_cast<uint64_t>(o.mib) << 20;
            r.probe.segment_bytes = static_cast<uint64_t>(s) << 10;
            r.probe.huge_pages = huge;
            r.probe.passes = o.passes;
            rows.push_back(r);
        }
    for (int round = 0; round < o.rounds; ++round)
        for (size_t i = 0; i < rows.size(); ++i) {
            Row& r = rows[round % 2 ? rows.size() - 1 - i : i];
            const kernels::BandwidthResult b = kernels::measure_read_bandwidth(pool, r.probe);
            r.best = std::max(r.best, b.best_gb_s);
            r.medians.push_back(b.median_gb_s);
        }
    const std::string load = load_average();
    nlohmann::json out = nlohmann::json::array();
    for (const Row& r : rows)
        out.push_back({{"segment_bytes", r.probe.segment_bytes},
                       {"huge_pages", r.probe.huge_pages},
                       {"bytes", r.probe.bytes},
                       {"best_gb_s", r.best},
                       {"median_gb_s_per_round", r.medians}});
    if (o.json) {
        std::printf(
            "%s\n",
            nlohmann::json{{"threads", pool.size()}, {"loadavg", load}, {"probes", out}}.dump().c_str());
        return;
    }
    std::printf("read bandwidth, %d threads, %lld MiB, best of %d passes x %d rounds (load average %s)\n",
                pool.size(), static_cast<long long>(o.mib), o.passes, o.rounds, load.c_str());
    for (const Row& r : rows) {
        std::string seg = r.probe.segment_bytes
                              ? std::to_string(r.probe.segment_bytes >> 10) + " KiB segments"
                              : std::string("one region");
        std::printf("  %-20s %s pages: best %6.1f GB/s, median per round", seg.c_str(),
                    r.probe.huge_pages ? "2 MiB" : "4 KiB", r.best);
        for (double m : r.medians) std::printf(" %.1f", m);
        std::printf("\n");
    }
}

}  // namespace

void register_bench_bandwidth(CLI::App& app) {
    auto o = std::make_shared<BandwidthOptions>();
    auto* cmd = app.add_subcommand(
        "bench-bandwidth",
        "Read bandwidth in the shape of bench's probe and of a decode step, 4 KiB vs 2 MiB pages");
    cmd->add_option("--threads", o->threads, "Threads (default: physical cores)");
    cmd->add_option("--mib", o->mib, "Buffer size in MiB");
    cmd->add_option("--segments-kib", o->segments_kib,
                    "Segment sizes in KiB, one parallel region each (0: the whole buffer in one region)");
    cmd->add_option("--passes", o->passes, "Passes per probe (best and median reported)");
    cmd->add_option("--rounds", o->rounds, "Rounds; the probes alternate order each round");
    cmd->add_flag("--json", o->json, "Print one JSON object");
    cmd->callback([o] { run_bench_bandwidth(*o); });
}

}  // namespace hy::cli
