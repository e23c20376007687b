// Anonymous memory in 2 MiB transparent huge pages (issue 10: decode streams ~433 MB of weights per
// token; in 4 KiB pages that is ~106K page-table entries per token and a hardware-prefetcher restart
// at every 4 KiB boundary). Used for the weight copy (core/mapped_file.h) and the bandwidth probe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hy {

inline constexpr size_t kHugePageBytes = size_t{2} << 20;  // x86-64 PMD page

// A private anonymous region whose start and length are multiples of 2 MiB, advised MADV_HUGEPAGE
// (THP in `madvise` mode only backs advised regions; without THP it is plain 4 KiB pages). Zeroed.
class HugePageRegion {
  public:
    HugePageRegion() = default;
    // Throws hy::Error if the memory cannot be mapped. `bytes` is rounded up to 2 MiB.
    explicit HugePageRegion(size_t bytes);
    ~HugePageRegion();
    HugePageRegion(HugePageRegion&& o) noexcept;
    HugePageRegion& operator=(HugePageRegion&& o) noexcept;
    HugePageRegion(const HugePageRegion&) = delete;
    HugePageRegion& operator=(const HugePageRegion&) = delete;

    uint8_t* data() const { return data_; }
    size_t size() const { return size_; }
    // Makes the region read-only (a weight copy once filled), or writable again (load-time rewrites).
    void protect_read_only();
    void protect_read_write();

  private:
    uint8_t* data_ = nullptr;
    size_t size_ = 0;
};

// Bytes of `p`..`p + n` that the kernel backs with huge pages, from /proc/self/smaps (AnonHugePages
// of the mappings that overlap the range); -1 if smaps cannot be read. For tests and the bench.
int64_t anon_huge_bytes(const void* p, size_t n);

}  // namespace hy
