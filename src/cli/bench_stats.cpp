#include "cli/bench_stats.h"

#include <fstream>

namespace hy::cli {

std::string load_average() {
    std::ifstream f("/proc/loadavg");
    std::string a, b, c;
    f >> a >> b >> c;
    return a + " " + b + " " + c;
}

}  // namespace hy::cli
