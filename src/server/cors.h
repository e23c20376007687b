// Cross-origin requests from browsers (CORS), as vLLM's server answers them: its --allowed-origins,
// --allowed-methods, --allowed-headers and --allow-credentials configure Starlette's CORSMiddleware, which
// by default lets any origin call the API. NIM's NIM_CORS_* variables set the same options.
//
// A request without an Origin header is not a cross-origin request and gets nothing. A preflight
// (OPTIONS with Access-Control-Request-Method) is answered here, before routing and before the API key
// check (browsers send no credentials on a preflight). Any other request from an origin gets the
// response headers of `cors_response_headers` and is served as usual.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hy::server {

struct CorsOptions {
    std::vector<std::string> allowed_origins{"*"};  // exact origins, or "*" for any
    std::vector<std::string> allowed_methods{"*"};  // "*" = DELETE GET HEAD OPTIONS PATCH POST PUT
    std::vector<std::string> allowed_headers{"*"};  // "*" = whatever the preflight asks for
    std::vector<std::string> expose_headers;        // Access-Control-Expose-Headers
    bool allow_credentials = false;
    int max_age_s = 600;  // how long a browser may cache a preflight's answer
};

using CorsHeaders = std::vector<std::pair<std::string, std::string>>;
// Returns a request header's value, or nullopt when the request has none (names are case-insensitive).
using HeaderLookup = std::function<std::optional<std::string>(const char* name)>;

struct CorsPreflight {
    int status = 200;  // 400 when the origin, method or a requested header is not allowed
    std::string body;  // "OK", or "Disallowed CORS origin, method, headers" naming the failures
    CorsHeaders headers;
};

// The answer to a preflight; nullopt when the request is none (not OPTIONS, or no Origin or
// Access-Control-Request-Method header).
std::optional<CorsPreflight> cors_preflight(const CorsOptions& o, const std::string& method,
                                            const HeaderLookup& header);

// Headers for the response to any other request; empty without an Origin header.
CorsHeaders cors_response_headers(const CorsOptions& o, const HeaderLookup& header);

// A list option's value: a JSON array of strings (vLLM's form), or words separated by commas.
std::vector<std::string> parse_cors_list(const std::string& what, const std::string& value);

}  // namespace hy::server
