#include "core/huge_pages.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>

#include "core/error.h"

namespace hy {

HugePageRegion::HugePageRegion(size_t bytes) {
    const size_t len = (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
    if (len == 0) return;
    // mmap only promises 4 KiB alignment and a huge page needs a 2 MiB-aligned virtual range: map
    // 2 MiB more and trim both ends.
    void* p =
        ::mmap(nullptr, len + kHugePageBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        throw Error(std::string("cannot map ") + std::to_string(len) + " bytes: " + std::strerror(errno));
    auto* base = static_cast<uint8_t*>(p);
    const size_t head =
        (kHugePageBytes - reinterpret_cast<uintptr_t>(base) % kHugePageBytes) % kHugePageBytes;
    if (head) ::munmap(base, head);
    if (kHugePageBytes - head) ::munmap(base + head + len, kHugePageBytes - head);
    data_ = base + head;
    size_ = len;
    ::madvise(data_, size_, MADV_HUGEPAGE);  // advice only: EINVAL without THP support
}

HugePageRegion::~HugePageRegion() {
    if (data_) ::munmap(data_, size_);
}

HugePageRegion::HugePageRegion(HugePageRegion&& o) noexcept
    : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}

HugePageRegion& HugePageRegion::operator=(HugePageRegion&& o) noexcept {
    if (this != &o) {
        if (data_) ::munmap(data_, size_);
        data_ = std::exchange(o.data_, nullptr);
        size_ = std::exchange(o.size_, 0);
    }
    return *this;
}

void HugePageRegion::protect_read_only() {
    if (data_) ::mprotect(data_, size_, PROT_READ);
}

void HugePageRegion::protect_read_write() {
    if (data_) ::mprotect(data_, size_, PROT_READ | PROT_WRITE);
}

int64_t anon_huge_bytes(const void* p, size_t n) {
    std::ifstream in("/proc/self/smaps");
    if (!in) return -1;
    const auto lo = reinterpret_cast<uintptr_t>(p), hi = lo + n;
    int64_t total = 0;
    bool inside = false;
    std::string line;
    while (std::getline(in, line)) {
        unsigned long a = 0, b = 0;
        // A mapping header starts "start-end perms ..."; the fields below it belong to it.
        if (std::sscanf(line.c_str(), "%lx-%lx ", &a, &b) == 2 && line.find(':') > line.find(' ')) {
            inside = a < hi && b > lo;
            continue;
        }
        long kb = 0;
        if (inside && std::sscanf(line.c_str(), "AnonHugePages: %ld kB", &kb) == 1)
            total += int64_t{kb} * 1024;
    }
    return total;
}

}  // namespace hy
