// Prometheus text exposition format 0.0.4, written the way Python's prometheus_client writes it (the
// library behind vLLM's /metrics): `# HELP` and `# TYPE` per family, labels sorted by name, values in
// Python's float repr ("1.0", "0.25", "+Inf"), histograms as cumulative `_bucket{le}` plus `_count`
// and `_sum`. Used for the engine's vllm:* families and the HTTP layer's http_* families.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine_metrics.h"

namespace hy::api {

using PromLabels = std::vector<std::pair<std::string, std::string>>;

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string prom_number(double v);  // Python float repr: 1.0, 0.001, 1e-05, 1e+16, +Inf, NaN

class PromWriter {
  public:
    // A family header; call once per metric name before its samples.
    void family(const std::string& name, const char* type, const std::string& help);
    void sample(const std::string& name, const PromLabels& labels, double value);
    // `name` without suffix; writes name_bucket{…,le}, name_count, name_sum.
    void histogram(const std::string& name, const PromLabels& labels, const Histogram& h);
    const std::string& text() const { return out_; }

  private:
    std::string out_;
};

}  // namespace hy::api
