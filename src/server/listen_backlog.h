// A deeper accept queue for cpp-httplib's listening socket.
//
// Debian's cpp-httplib is a shared library built with a listen backlog of 5. When more clients
// connect at once than that (16 streams of bench-serve, an agent fanning out requests) while the
// compute threads hold every core, the accept queue overflows, the kernel drops the SYN and the
// client retries only after its 1 s SYN timeout: TTFT p99 ≈ 1 s at 16 streams, with
// TcpExtListenOverflows rising in /proc/net/netstat. httplib lets us see each socket before bind
// (its socket-options hook); calling listen() again on the bound socket sets the new backlog.
#pragma once

#include <httplib.h>

#include <memory>

namespace hy::server {

class ListenBacklog {
  public:
    // Installs the hook on `s` (it keeps httplib's default options) that remembers the socket.
    explicit ListenBacklog(httplib::Server& s);
    // After a successful bind_to_port: listen() again with `backlog` (the kernel caps it at
    // net.core.somaxconn). False when there is no bound socket or listen() fails.
    bool raise(int backlog) const;

  private:
    std::shared_ptr<int> fd_ = std::make_shared<int>(-1);  // the last socket httplib created
};

}  // namespace hy::server
