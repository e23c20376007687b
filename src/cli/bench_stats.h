// Small helpers shared by the benchmark commands (bench, bench-attention, bench-bandwidth).
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace hy::cli {

// Median of the values (mean of the middle two for an even count); v must not be empty.
inline double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// The three load averages of /proc/loadavg as "1m 5m 15m", written next to every figure: on a shared
// machine a figure means little without the load it was taken under.
std::string load_average();

}  // namespace hy::cli
