#include "server/cors.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "core/ascii.h"
#include "core/error.h"

namespace hy::server {
namespace {

const std::vector<std::string> kAllMethods = {"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"};
// Headers a browser may always send (the CORS-safelisted request headers).
const std::vector<std::string> kSafelistedHeaders = {"Accept", "Accept-Language", "Content-Language",
                                                     "Content-Type"};

bool contains(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

std::string trim(const std::string& s) {
    const size_t b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// "a, b,c" -> {"a", "b", "c"}: items trimmed, empty ones dropped.
std::vector<std::string> split_commas(const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= s.size()) {
        const size_t comma = std::min(s.find(',', start), s.size());
        std::string item = trim(s.substr(start, comma - start));
        if (!item.empty()) out.push_back(std::move(item));
        start = comma + 1;
    }
    return out;
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& x : v) out += (out.empty() ? "" : ", ") + x;
    return out;
}

bool any_origin(const CorsOptions& o) {
    return contains(o.allowed_origins, "*");
}

bool origin_allowed(const CorsOptions& o, const std::string& origin) {
    return any_origin(o) || contains(o.allowed_origins, origin);
}

std::vector<std::string> methods(const CorsOptions& o) {
    return contains(o.allowed_methods, "*") ? kAllMethods : o.allowed_methods;
}

// The configured headers plus the safelisted ones, sorted as the answer lists them.
std::vector<std::string> listed_headers(const CorsOptions& o) {
    std::set<std::string> all(kSafelistedHeaders.begin(), kSafelistedHeaders.end());
    all.insert(o.allowed_headers.begin(), o.allowed_headers.end());
    return {all.begin(), all.end()};
}

}  // namespace

std::optional<CorsPreflight> cors_preflight(const CorsOptions& o, const std::string& method,
                                            const HeaderLookup& header) {
    const auto origin = header("Origin");
    const auto requested_method = header("Access-Control-Request-Method");
    if (method != "OPTIONS" || !origin || !requested_method) return std::nullopt;
    // The origin is echoed where "*" would not do: a fixed list, or credentials (a browser refuses "*"
    // with credentials); either way the answer then depends on Origin, which caches must know.
    const bool echo_origin = !any_origin(o) || o.allow_credentials;
    CorsPreflight p;
    if (echo_origin)
        p.headers.emplace_back("Vary", "Origin");
    else
        p.headers.emplace_back("Access-Control-Allow-Origin", "*");
    const std::vector<std::string> allowed_methods = methods(o);
    p.headers.emplace_back("Access-Control-Allow-Methods", join(allowed_methods));
    p.headers.emplace_back("Access-Control-Max-Age", std::to_string(o.max_age_s));
    const bool any_header = contains(o.allowed_headers, "*");
    const std::vector<std::string> allowed_headers = listed_headers(o);
    if (!any_header) p.headers.emplace_back("Access-Control-Allow-Headers", join(allowed_headers));
    if (o.allow_credentials) p.headers.emplace_back("Access-Control-Allow-Credentials", "true");

    std::vector<std::string> failures;
    if (origin_allowed(o, *origin)) {
        if (echo_origin) p.headers.emplace_back("Access-Control-Allow-Origin", *origin);
    } else {
        failures.push_back("origin");
    }
    if (!contains(allowed_methods, *requested_method)) failures.push_back("method");
    if (const auto requested = header("Access-Control-Request-Headers")) {
        if (any_header) {
            p.headers.emplace_back("Access-Control-Allow-Headers", *requested);
        } else {
            std::vector<std::string> allowed_lower;
            for (const auto& h : allowed_headers) allowed_lower.push_back(ascii_lower(h));
            for (const auto& h : split_commas(*requested))
                if (!contains(allowed_lower, ascii_lower(h))) {
                    failures.push_back("headers");
                    break;
                }
        }
    }
    p.status = failures.empty() ? 200 : 400;
    p.body = failures.empty() ? "OK" : "Disallowed CORS " + join(failures);
    return p;
}

CorsHeaders cors_response_headers(const CorsOptions& o, const HeaderLookup& header) {
    CorsHeaders h;
    const auto origin = header("Origin");
    if (!origin) return h;
    // With any origin allowed the answer is "*", unless the request carries cookies: a browser only
    // hands a credentialed response to the page when the origin is named.
    if (any_origin(o) && !header("Cookie"))
        h.emplace_back("Access-Control-Allow-Origin", "*");
    else if (origin_allowed(o, *origin)) {
        h.emplace_back("Access-Control-Allow-Origin", *origin);
        h.emplace_back("Vary", "Origin");
    }
    if (o.allow_credentials) h.emplace_back("Access-Control-Allow-Credentials", "true");
    if (!o.expose_headers.empty()) h.emplace_back("Access-Control-Expose-Headers", join(o.expose_headers));
    return h;
}

std::vector<std::string> parse_cors_list(const std::string& what, const std::string& value) {
    std::vector<std::string> out;
    const std::string v = trim(value);
    if (!v.empty() && v.front() == '[') {
        const nlohmann::json j = nlohmann::json::parse(v, nullptr, false);
        if (j.is_discarded() || !j.is_array())
            throw Error(what + ": expected a JSON array of strings or a comma-separated list, got '" + value +
                        "'");
        for (const auto& x : j) {
            if (!x.is_string()) throw Error(what + ": expected a JSON array of strings, got '" + value + "'");
            out.push_back(x.get<std::string>());
        }
        return out;
    }
    return split_commas(v);
}

}  // namespace hy::server
