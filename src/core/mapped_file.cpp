#include "core/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"

namespace hy {

namespace {

// Closes the descriptor on every path out of open().
struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

// MemAvailable from /proc/meminfo; SIZE_MAX if it cannot be read. A copy that does not fit in memory
// would swap or be OOM-killed where the mapping lets the kernel page weights in and out.
size_t available_memory() {
    std::ifstream in("/proc/meminfo");
    std::string key;
    size_t kb = 0;
    while (in >> key >> kb)
        if (key == "MemAvailable:")
            return kb * 1024;
        else
            in.ignore(256, '\n');
    return SIZE_MAX;
}

// pread of [0, size) into dst, the range split between a few threads: the copy is bound by the kernel
// faulting in (zeroing) the huge pages and copying from the page cache, which one core does at a few
// GB/s. pread, not a mapping of the file copied: the file's pages never enter this process's RSS.
void read_parallel(int fd, uint8_t* dst, size_t size, const std::string& path) {
    constexpr size_t kChunk = size_t{64} << 20, kPerThread = size_t{256} << 20;
    const size_t hw = std::max(1u, std::thread::hardware_concurrency());
    const size_t nt = std::clamp<size_t>(size / kPerThread, 1, std::min<size_t>(hw, 4));
    std::vector<std::string> errors(nt);
    auto part = [&](size_t t) {
        const size_t lo = size / kHugePageBytes * t / nt * kHugePageBytes;
        const size_t hi = t + 1 == nt ? size : size / kHugePageBytes * (t + 1) / nt * kHugePageBytes;
        for (size_t off = lo; off < hi;) {
            const ssize_t n = ::pread(fd, dst + off, std::min(kChunk, hi - off), static_cast<off_t>(off));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                errors[t] = n < 0 ? std::strerror(errno) : "file shrank while reading";
                return;
            }
            off += static_cast<size_t>(n);
        }
    };
    std::vector<std::thread> threads;
    for (size_t t = 1; t < nt; ++t) threads.emplace_back(part, t);
    part(0);
    for (auto& th : threads) th.join();
    for (const auto& e : errors)
        if (!e.empty()) throw file_error(path, "read failed: " + e);
}

std::atomic<int>& residency_setting() {
    static std::atomic<int> r{[] {
        const char* e = std::getenv("HYSERVE_HUGEPAGES");
        const bool off = e && (std::strcmp(e, "0") == 0 || std::strcmp(e, "off") == 0);
        return static_cast<int>(off ? FileResidency::MAPPED : FileResidency::HUGE_PAGE_COPY);
    }()};
    return r;
}

}  // namespace

FileResidency weights_file_residency() {
    return static_cast<FileResidency>(residency_setting().load(std::memory_order_relaxed));
}

void set_weights_file_residency(FileResidency r) {
    residency_setting().store(static_cast<int>(r), std::memory_order_relaxed);
}

std::shared_ptr<const MappedFile> MappedFile::open(const std::string& path, FileResidency residency) {
    Fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (fd.fd < 0) throw file_error(path, std::string("cannot open: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd.fd, &st) != 0 || !S_ISREG(st.st_mode)) throw file_error(path, "not a regular file");
    auto file = std::shared_ptr<MappedFile>(new MappedFile());
    file->path_ = path;
    file->size_ = static_cast<size_t>(st.st_size);
    if (file->size_ == 0) return file;
    if (residency == FileResidency::HUGE_PAGE_COPY && file->size_ >= kHugePageBytes &&
        file->size_ <= available_memory() / 2) {
        file->copy_ = HugePageRegion(file->size_);
        read_parallel(fd.fd, file->copy_.data(), file->size_, path);
        file->copy_.protect_read_only();
        file->data_ = file->copy_.data();
        return file;
    }
    void* p = ::mmap(nullptr, file->size_, PROT_READ, MAP_PRIVATE, fd.fd, 0);
    if (p == MAP_FAILED) throw file_error(path, std::string("mmap failed: ") + std::strerror(errno));
    file->data_ = static_cast<const uint8_t*>(p);
    return file;
}

bool MappedFile::rewrite_in_place(const std::function<void(uint8_t* bytes)>& fn) const {
    if (residency() != FileResidency::HUGE_PAGE_COPY) return false;
    auto& region = const_cast<HugePageRegion&>(copy_);
    struct ReadOnlyAgain {
        HugePageRegion& r;
        ~ReadOnlyAgain() { r.protect_read_only(); }
    } guard{region};
    region.protect_read_write();
    fn(region.data());
    return true;
}

MappedFile::~MappedFile() {
    if (data_ && residency() == FileResidency::MAPPED) ::munmap(const_cast<uint8_t*>(data_), size_);
}

}  // namespace hy
