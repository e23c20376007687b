// Whether the client of the request being handled is still connected, without writing to it.
// A non-streaming response decides its status only after generation (an engine error must be a 500,
// not a 200 with an error body), so nothing may be sent before; cpp-httplib 0.11 gives a handler no
// socket, so the probe finds the connection's descriptor by its address pair (unique while the
// request is being handled, since this thread owns the connection) and peeks at it: EOF or an error
// means the peer closed.
#pragma once

#include <string>

namespace hy::server {

class ConnectionProbe {
  public:
    ConnectionProbe(const std::string& remote_addr, int remote_port, const std::string& local_addr,
                    int local_port);
    bool found() const { return fd_ >= 0; }
    int fd() const { return fd_; }  // -1: not found
    bool peer_closed() const;       // false when the descriptor was not found (nothing to go on)

  private:
    int fd_ = -1;
};

}  // namespace hy::server
