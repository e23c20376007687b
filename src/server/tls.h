// TLS on the listening sockets, configured as vLLM (--ssl-keyfile, --ssl-certfile, --ssl-ca-certs,
// --ssl-cert-reqs) and NIM (NIM_SSL_MODE=DISABLED|TLS|MTLS with NIM_SSL_KEY_PATH, NIM_SSL_CERTS_PATH,
// NIM_SSL_CA_CERTS_PATH) configure it. The HTTP server is cpp-httplib's SSLServer over OpenSSL.
#pragma once

#include <memory>
#include <string>

namespace httplib {
class Server;
}

namespace hy::server {

struct TlsOptions {
    std::string keyfile;   // PEM private key
    std::string certfile;  // PEM certificate (chain)
    std::string ca_certs;  // PEM CAs that client certificates must chain to
    int cert_reqs = 0;  // Python's ssl.CERT_NONE 0, CERT_OPTIONAL 1, CERT_REQUIRED 2 (vLLM's --ssl-cert-reqs)
    bool enabled() const { return !certfile.empty(); }
};

// Checks what parsing alone can: key and certificate come together, client verification needs CAs.
// Throws hy::Error naming the setting.
void check_tls_options(const TlsOptions& tls);

// A plain server, or a TLS one with the certificate and key loaded (and client verification as
// cert_reqs asks). Throws hy::Error with OpenSSL's reason when the files cannot be used.
std::unique_ptr<httplib::Server> make_http_server(const TlsOptions& tls);

}  // namespace hy::server
