#include "api/nonblocking_writes.h"

namespace hy::api {

namespace {
thread_local NonBlockingWrites* t_scope = nullptr;
}  // namespace

NonBlockingWrites::NonBlockingWrites() : outer_(t_scope) {
    t_scope = this;
}

NonBlockingWrites::~NonBlockingWrites() {
    t_scope = outer_;
}

bool NonBlockingWrites::active() {
    return t_scope != nullptr;
}

void NonBlockingWrites::defer() {
    if (t_scope) t_scope->deferred_ = true;
}

}  // namespace hy::api
