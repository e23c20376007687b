#include "api/openai_format.h"

#include <chrono>
#include <random>

namespace hy::api {

namespace {

const char* type_for_status(int status) {
    switch (status) {
        case 400:
            return "BadRequestError";
        case 401:
            return "AuthenticationError";
        case 404:
            return "NotFoundError";
        case 405:
            return "MethodNotAllowed";
        case 413:
            return "RequestEntityTooLarge";
        case 501:
            return "NotImplementedError";
        case 503:
            return "ServiceUnavailableError";
        default:
            return status >= 500 ? "InternalServerError" : "BadRequestError";
    }
}

}  // namespace

OJson error_json(const Error& e) {
    const std::string type = e.type == "invalid_request_error" ? type_for_status(e.http_status) : e.type;
    OJson err = {{"message", e.what()}, {"type", type}, {"param", nullptr}, {"code", e.http_status}};
    if (!e.param.empty()) err["param"] = e.param;
    return {{"error", err}};
}

ApiResponse error_response(const Error& e) {
    ApiResponse r;
    r.status = e.http_status;
    r.body = dump(error_json(e));
    return r;
}

ApiResponse error_response(const std::exception_ptr& ex) {
    try {
        std::rethrow_exception(ex);
    } catch (const Error& e) {
        return error_response(e);
    } catch (const std::exception& e) {
        return error_response(Error(std::string("internal error: ") + e.what(), 500, "InternalServerError"));
    } catch (...) {
        return error_response(Error("internal error", 500, "InternalServerError"));
    }
}

std::string random_hex(size_t n) {
    thread_local std::mt19937_64 rng(std::random_device{}());
    static const char* digits = "0123456789abcdef";
    std::string s(n, '0');
    for (auto& c : s) c = digits[rng() & 15];
    return s;
}

int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string dump(const OJson& j) {
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string sse(const OJson& chunk) {
    return "data: " + dump(chunk) + "\n\n";
}

OJson usage_json(int64_t prompt_tokens, int64_t completion_tokens, int64_t cached_tokens) {
    return {{"prompt_tokens", prompt_tokens},
            {"total_tokens", prompt_tokens + completion_tokens},
            {"completion_tokens", completion_tokens},
            {"prompt_tokens_details",
             cached_tokens >= 0 ? OJson{{"cached_tokens", cached_tokens}} : OJson(nullptr)}};
}

}  // namespace hy::api
