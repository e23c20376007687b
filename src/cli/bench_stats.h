// Small helpers shared by the benchmark commands (bench, bench-attention, bench-bandwidth).
#pragma once

#include <string>
#include <vector>

namespace hy::cli {

// Median of the values (mean of the middle two for an even count); v must not be empty.
double median(std::vector<double> v);

// The three load averages of /proc/loadavg as "1m 5m 15m", written next to every figure: on a shared
// machine a figure means little without the load it was taken under.
std::string load_average();

}  // namespace hy::cli
