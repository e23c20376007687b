#include "api/anthropic_errors.h"

namespace hy::api {

const char* anthropic_error_type(int s) {
    switch (s) {
        case 401:
            return "authentication_error";
        case 403:
            return "permission_error";
        case 404:
            return "not_found_error";
        case 413:
            return "request_too_large";
        case 429:
            return "rate_limit_error";
        case 503:
        case 529:
            return "overloaded_error";
        default:
            return s >= 500 ? "api_error" : "invalid_request_error";
    }
}

OJson anthropic_error_json(const Error& e) {
    return {{"type", "error"},
            {"error", {{"type", anthropic_error_type(e.http_status)}, {"message", e.what()}}},
            {"request_id", "req_" + random_hex(24)}};
}

ApiResponse anthropic_error_response(const Error& e) {
    ApiResponse r;
    r.status = e.http_status;
    r.body = dump(anthropic_error_json(e));
    return r;
}

ApiResponse anthropic_error_response(const std::exception_ptr& ex) {
    try {
        std::rethrow_exception(ex);
    } catch (const Error& e) {
        return anthropic_error_response(e);
    } catch (const std::exception& e) {
        return anthropic_error_response(Error(std::string("internal error: ") + e.what(), 500));
    } catch (...) {
        return anthropic_error_response(Error("internal error", 500));
    }
}

}  // namespace hy::api
