#include "api/nim_endpoints.h"

#include <filesystem>
#include <fstream>
#include <sstream>

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

// NIM's licenseInfo for the license file beside the model, or null. "sha" stays null: no digest of
// the file is computed (NIM's is its registry's).
OJson license_info(const ServingContext* ctx) {
    if (!ctx || ctx->model_root.empty()) return nullptr;
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path dir = ctx->model_root;
    if (!fs::is_directory(dir, ec)) dir = dir.parent_path();  // a .gguf or .safetensors file
    for (const char* name :
         {"LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "license", "license.md", "license.txt"}) {
        const fs::path p = dir / name;
        if (!fs::is_regular_file(p, ec)) continue;
        std::ifstream in(p, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        return {{"name", name},   {"path", p.string()}, {"sha", nullptr},       {"size", text.str().size()},
                {"url", nullptr}, {"type", "file"},     {"content", text.str()}};
    }
    return nullptr;
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
                               {"licenseInfo", license_info(ctx)},
                               {"repository_override", nullptr}});
}

ApiResponse license(const ServingContext* ctx) {
    OJson info = license_info(ctx);
    if (info.is_null())
        return error_response(
            Error("No license file (LICENSE, LICENSE.md, LICENSE.txt) was found beside the model.", 404,
                  "NotFoundError"));
    return json_response(200, info);
}

ApiResponse manifest(const ServingContext* ctx) {
    OJson names = OJson::array();
    if (ctx)
        for (const auto& n : ctx->served_names) names.push_back(n);
    return json_response(
        200, {{"schema_version", "1.0"},
              {"selectedModelProfileId", "cpu"},
              {"profiles",
               OJson::array(
                   {{{"id", "cpu"},
                     {"tags", {{"llm_engine", "hyserve"}, {"backend", "cpu"}, {"tp", "1"}, {"pp", "1"}}}}})},
              {"model",
               {{"served_names", names},
                {"path", ctx ? OJson(ctx->model_root) : OJson(nullptr)},
                {"max_model_len", ctx ? OJson(ctx->max_model_len) : OJson(nullptr)}}}});
}

}  // namespace hy::api
