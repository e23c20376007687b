// CORS answers (src/server/cors.h), as vLLM's server gives them through Starlette's CORSMiddleware:
// any origin by default, the origin echoed where "*" would not do, preflights refused with 400 naming
// what was not allowed.
#include "server/cors.h"

#include <gtest/gtest.h>

#include <map>

#include "core/error.h"

namespace hy::server {
namespace {

struct Request {
    std::map<std::string, std::string> headers;
    HeaderLookup lookup() const {
        return [this](const char* name) -> std::optional<std::string> {
            auto it = headers.find(name);
            if (it == headers.end()) return std::nullopt;
            return it->second;
        };
    }
};

std::optional<std::string> find(const CorsHeaders& h, const std::string& name) {
    for (const auto& [k, v] : h)
        if (k == name) return v;
    return std::nullopt;
}

Request preflight(std::string origin, std::string method, std::string headers = "") {
    Request r;
    r.headers["Origin"] = std::move(origin);
    r.headers["Access-Control-Request-Method"] = std::move(method);
    if (!headers.empty()) r.headers["Access-Control-Request-Headers"] = std::move(headers);
    return r;
}

TEST(Cors, ByDefaultAnyOriginMayCallWithAnyHeader) {
    const CorsOptions o;
    const Request r = preflight("http://app.example", "POST", "authorization, content-type");
    const auto p = cors_preflight(o, "OPTIONS", r.lookup());
    ASSERT_TRUE(p);
    EXPECT_EQ(p->status, 200);
    EXPECT_EQ(p->body, "OK");
    EXPECT_EQ(find(p->headers, "Access-Control-Allow-Origin"), "*");
    EXPECT_EQ(find(p->headers, "Access-Control-Allow-Methods"),
              "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT");
    EXPECT_EQ(find(p->headers, "Access-Control-Allow-Headers"), "authorization, content-type");
    EXPECT_EQ(find(p->headers, "Access-Control-Max-Age"), "600");
    EXPECT_FALSE(find(p->headers, "Access-Control-Allow-Credentials"));

    Request simple;
    simple.headers["Origin"] = "http://app.example";
    const CorsHeaders h = cors_response_headers(o, simple.lookup());
    EXPECT_EQ(find(h, "Access-Control-Allow-Origin"), "*");
    EXPECT_FALSE(find(h, "Vary"));
}

TEST(Cors, RequestsWithoutAnOriginAreNotCrossOrigin) {
    const CorsOptions o;
    Request r;
    r.headers["Access-Control-Request-Method"] = "POST";
    EXPECT_FALSE(cors_preflight(o, "OPTIONS", r.lookup()));
    EXPECT_TRUE(cors_response_headers(o, r.lookup()).empty());
    // OPTIONS without Access-Control-Request-Method is no preflight either: it is routed as usual.
    Request plain;
    plain.headers["Origin"] = "http://app.example";
    EXPECT_FALSE(cors_preflight(o, "OPTIONS", plain.lookup()));
    EXPECT_FALSE(cors_preflight(o, "POST", preflight("http://a", "POST").lookup()));
}

TEST(Cors, AListOfOriginsIsEchoedAndOthersAreRefused) {
    CorsOptions o;
    o.allowed_origins = {"https://ui.example"};
    const auto ok = cors_preflight(o, "OPTIONS", preflight("https://ui.example", "POST").lookup());
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);
    EXPECT_EQ(find(ok->headers, "Access-Control-Allow-Origin"), "https://ui.example");
    EXPECT_EQ(find(ok->headers, "Vary"), "Origin");

    const auto refused = cors_preflight(o, "OPTIONS", preflight("https://evil.example", "POST").lookup());
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 400);
    EXPECT_EQ(refused->body, "Disallowed CORS origin");
    EXPECT_FALSE(find(refused->headers, "Access-Control-Allow-Origin"));

    Request other;
    other.headers["Origin"] = "https://evil.example";
    EXPECT_FALSE(find(cors_response_headers(o, other.lookup()), "Access-Control-Allow-Origin"));
    Request listed;
    listed.headers["Origin"] = "https://ui.example";
    const CorsHeaders h = cors_response_headers(o, listed.lookup());
    EXPECT_EQ(find(h, "Access-Control-Allow-Origin"), "https://ui.example");
    EXPECT_EQ(find(h, "Vary"), "Origin");
}

TEST(Cors, MethodsAndHeadersOutsideTheListsAreNamed) {
    CorsOptions o;
    o.allowed_methods = {"GET", "POST"};
    o.allowed_headers = {"Authorization"};
    const auto p =
        cors_preflight(o, "OPTIONS", preflight("http://a", "PUT", "Authorization, X-Custom").lookup());
    ASSERT_TRUE(p);
    EXPECT_EQ(p->status, 400);
    EXPECT_EQ(p->body, "Disallowed CORS method, headers");
    // The allowed headers are listed with the safelisted ones, and matched without regard to case.
    EXPECT_EQ(find(p->headers, "Access-Control-Allow-Headers"),
              "Accept, Accept-Language, Authorization, Content-Language, Content-Type");
    const auto ok =
        cors_preflight(o, "OPTIONS", preflight("http://a", "POST", "authorization,content-type").lookup());
    EXPECT_EQ(ok->status, 200);
}

TEST(Cors, CredentialsNeedANamedOrigin) {
    CorsOptions o;
    o.allow_credentials = true;
    o.expose_headers = {"X-Request-Id"};
    const auto p = cors_preflight(o, "OPTIONS", preflight("http://a", "GET").lookup());
    EXPECT_EQ(find(p->headers, "Access-Control-Allow-Origin"), "http://a");
    EXPECT_EQ(find(p->headers, "Access-Control-Allow-Credentials"), "true");
    Request with_cookie;
    with_cookie.headers["Origin"] = "http://a";
    with_cookie.headers["Cookie"] = "session=1";
    const CorsHeaders h = cors_response_headers(o, with_cookie.lookup());
    EXPECT_EQ(find(h, "Access-Control-Allow-Origin"), "http://a");
    EXPECT_EQ(find(h, "Access-Control-Allow-Credentials"), "true");
    EXPECT_EQ(find(h, "Access-Control-Expose-Headers"), "X-Request-Id");
}

TEST(Cors, ListsComeAsJsonArraysOrCommaSeparatedWords) {
    EXPECT_EQ(parse_cors_list("--allowed-origins", R"(["https://a", "https://b"])"),
              (std::vector<std::string>{"https://a", "https://b"}));
    EXPECT_EQ(parse_cors_list("NIM_CORS_ALLOW_METHODS", "GET, POST"),
              (std::vector<std::string>{"GET", "POST"}));
    EXPECT_EQ(parse_cors_list("--allowed-origins", "*"), (std::vector<std::string>{"*"}));
    EXPECT_THROW(parse_cors_list("--allowed-origins", "[1, 2]"), Error);
    EXPECT_THROW(parse_cors_list("--allowed-origins", "[unclosed"), Error);
}

}  // namespace
}  // namespace hy::server
