// NIM health, version and metadata bodies (spec/api.md §7). Clients key on the status code; the
// bodies follow the spec's recommendation.
#pragma once

#include "api/api_response.h"
#include "api/serving_context.h"

namespace hy::api {

ApiResponse health_live();
ApiResponse health_ready(bool ready);             // 200 ready, 503 while loading or after engine death
ApiResponse version_v1();                         // GET /v1/version
ApiResponse version_vllm();                       // GET /version
ApiResponse metadata(const ServingContext* ctx);  // null while loading

}  // namespace hy::api
