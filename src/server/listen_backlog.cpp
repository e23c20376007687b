#include "server/listen_backlog.h"

#include <sys/socket.h>

namespace hy::server {

ListenBacklog::ListenBacklog(httplib::Server& s) {
    // bind_to_port tries the resolved addresses in turn, creating a socket for each and returning on
    // the first that binds: the last socket seen is the bound one.
    s.set_socket_options([fd = fd_](socket_t sock) {
        httplib::default_socket_options(sock);
        *fd = sock;
    });
}

bool ListenBacklog::raise(int backlog) const {
    return *fd_ >= 0 && ::listen(*fd_, backlog) == 0;
}

}  // namespace hy::server
