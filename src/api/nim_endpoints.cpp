#include "api/nim_endpoints.h"

#include "api/openai_format.h"

namespace hy::api {

namespace {

constexpr const char* kVersion = "0.1.0";

ApiResponse json_response(int status, const OJson& j) {
    ApiResponse r;
    r.status = status;
    r.body = dump(j);
    return r;
}

}  // namespace

ApiResponse health_live() {
    return json_response(
        200, {{"object", "health.response"}, {"message", "Service is live."}, {"status", "live"}});
}

ApiResponse health_ready(bool ready) {
    if (ready)
        return json_response(
            200, {{"object", "health.response"}, {"message", "Service is ready."}, {"status", "ready"}});
    return json_response(
        503, {{"object", "health.response"}, {"message", "Service is not ready."}, {"status", "not_ready"}});
}

ApiResponse version_v1() {
    return json_response(200, {{"release", kVersion}, {"api", "1.0.0"}});
}

ApiResponse version_vllm() {
    return json_response(200, {{"version", kVersion}});
}

ApiResponse metadata(const ServingContext* ctx) {
    OJson info = OJson::array();
    if (ctx)
        for (const auto& n : ctx->served_names)
            info.push_back({{"shortName", n}, {"modelUrl", ctx->model_root}});
    return json_response(200, {{"version", kVersion},
                               {"selectedModelProfileId", "cpu"},
                               {"modelInfo", info},
                               {"assetInfo", OJson::array()},
                               {"licenseInfo", nullptr},
                               {"repository_override", nullptr}});
}

}  // namespace hy::api
