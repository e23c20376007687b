// Aggregate decode throughput while a given number of streams are all decoding (bench-serve, issue 6).
//
// A request decodes from its first streamed token to its last. Where `width` requests do so at once,
// every engine step carries `width` decode tokens and nothing else of theirs, so the tokens streamed
// in those windows over the windows' length is the engine's decode rate at that concurrency. The
// per-request figure (concurrency × the mean of (tokens − 1) / (latency − TTFT)) also counts the
// steps where some streams were still waiting for their prompt, and moves with how the arrivals
// happened to fall: a few early requests decode beside the others' prefill (slower), late ones
// beside fewer peers (faster).
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace hy::cli {

struct DecodeWindow {
    double seconds = 0;  // total length of the windows
    int64_t tokens = 0;  // tokens streamed inside them (a request's first token excluded)
    double rate() const { return seconds > 0 ? static_cast<double>(tokens) / seconds : 0.0; }
};

// times[r]: the arrival times (seconds, ascending) of request r's streamed tokens.
inline DecodeWindow full_width_decode(const std::vector<std::vector<double>>& times, int width) {
    std::vector<std::pair<double, int>> edges;  // (time, +1 first token / -1 last token)
    for (const auto& t : times)
        if (t.size() >= 2) edges.push_back({t.front(), +1}), edges.push_back({t.back(), -1});
    std::sort(edges.begin(), edges.end());  // at equal times a stream ends before another starts
    std::vector<std::pair<double, double>> windows;
    int open = 0;
    for (const auto& [at, d] : edges) {
        if (d < 0 && open == width) windows.back().second = at;
        open += d;
        if (d > 0 && open == width) windows.push_back({at, at});
    }
    DecodeWindow w;
    for (const auto& [a, b] : windows) w.seconds += b - a;
    for (const auto& t : times)
        for (size_t i = 1; i < t.size(); ++i)
            for (const auto& [a, b] : windows)
                if (t[i] > a && t[i] <= b) ++w.tokens;
    return w;
}

}  // namespace hy::cli
