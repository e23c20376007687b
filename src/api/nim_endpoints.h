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
// GET /v1/license: the model's license file (LICENSE, LICENSE.md, LICENSE.txt beside the weights) as
// NIM's licenseInfo object, with its text; 404 when there is none (or while loading).
ApiResponse license(const ServingContext* ctx);
// GET /v1/manifest: the one profile this server runs (NIM lists the profiles of its image).
ApiResponse manifest(const ServingContext* ctx);

}  // namespace hy::api
