#include "server/tls.h"

#include <httplib.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "core/error.h"

namespace hy::server {

namespace {

// The reason of the newest OpenSSL error on this thread ("no such file", "key values mismatch" …).
std::string openssl_reason() {
    const unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (e == 0) return "unknown error";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
}

}  // namespace

void check_tls_options(const TlsOptions& tls) {
    if (tls.keyfile.empty() != tls.certfile.empty())
        throw Error(
            "TLS needs both a certificate and its private key (--ssl-certfile and --ssl-keyfile, or "
            "NIM_SSL_CERTS_PATH and NIM_SSL_KEY_PATH)");
    if (tls.cert_reqs > 0 && tls.ca_certs.empty())
        throw Error(
            "verifying client certificates (--ssl-cert-reqs / NIM_SSL_MODE=MTLS) needs the CAs: "
            "--ssl-ca-certs or NIM_SSL_CA_CERTS_PATH");
    if (tls.cert_reqs > 0 && !tls.enabled()) throw Error("--ssl-cert-reqs needs TLS (--ssl-certfile)");
}

std::unique_ptr<httplib::Server> make_http_server(const TlsOptions& tls) {
    if (!tls.enabled()) return std::make_unique<httplib::Server>();
    std::string failure;
    auto server = std::make_unique<httplib::SSLServer>([&](SSL_CTX& ctx) {
        SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
        if (SSL_CTX_use_certificate_chain_file(&ctx, tls.certfile.c_str()) != 1) {
            failure = "certificate " + tls.certfile + ": " + openssl_reason();
            return false;
        }
        if (SSL_CTX_use_PrivateKey_file(&ctx, tls.keyfile.c_str(), SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_check_private_key(&ctx) != 1) {
            failure = "private key " + tls.keyfile + ": " + openssl_reason();
            return false;
        }
        if (!tls.ca_certs.empty()) {
            if (SSL_CTX_load_verify_locations(&ctx, tls.ca_certs.c_str(), nullptr) != 1) {
                failure = "CA certificates " + tls.ca_certs + ": " + openssl_reason();
                return false;
            }
            // The CAs' names go in the certificate request, so a client picks a matching certificate.
            SSL_CTX_set_client_CA_list(&ctx, SSL_load_client_CA_file(tls.ca_certs.c_str()));
        }
        SSL_CTX_set_verify(&ctx,
                           tls.cert_reqs == 2   ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
                           : tls.cert_reqs == 1 ? SSL_VERIFY_PEER
                                                : SSL_VERIFY_NONE,
                           nullptr);
        return true;
    });
    if (!server->is_valid()) throw Error("TLS: " + (failure.empty() ? openssl_reason() : failure));
    return server;
}

}  // namespace hy::server
