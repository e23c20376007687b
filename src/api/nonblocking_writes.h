// Direct delivery (engine/request_stream.h) runs a request's serializer on the engine's thread, which
// must never wait on a client's socket. While a NonBlockingWrites scope is alive on a thread, a
// BodyWriter sends only what the socket takes at once, keeps the rest, and calls defer(): the scope
// then reports that the request's own thread has to take over (the writer flushes on its next
// blocking write or client_gone()).
#pragma once

namespace hy::api {

class NonBlockingWrites {
  public:
    NonBlockingWrites();
    ~NonBlockingWrites();
    NonBlockingWrites(const NonBlockingWrites&) = delete;
    NonBlockingWrites& operator=(const NonBlockingWrites&) = delete;

    bool deferred() const { return deferred_; }
    static bool active();  // a scope is alive on this thread: writes must not block
    static void defer();   // something was kept back for the request's own thread

  private:
    bool deferred_ = false;
    NonBlockingWrites* outer_;
};

}  // namespace hy::api
