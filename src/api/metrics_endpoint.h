// GET /metrics and GET /v1/metrics (spec/api.md §7): the engine's counters, gauges and histograms in
// Prometheus text format under vLLM's names, labelled model_name = first served name and engine="0".
#pragma once

#include <string>

#include "api/api_response.h"
#include "api/serving_context.h"
#include "engine/engine_metrics.h"

namespace hy::api {

// The vllm:* families of one snapshot. `extra` (e.g. the HTTP layer's families) is appended as is.
std::string render_vllm_metrics(const MetricsSnapshot& m, const std::string& model_name);

ApiResponse handle_metrics(ServingContext& ctx, const std::string& extra = {});

}  // namespace hy::api
