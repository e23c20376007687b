#include "core/error.h"

#include <cstdio>
#include <cstdlib>

namespace hy {

void assertion_failed(const char* expr, const char* file, int line) {
    std::fprintf(stderr, "hyserve: internal assertion failed: %s (%s:%d)\n", expr, file, line);
    std::abort();
}

}  // namespace hy
