// A read-only memory mapping of a whole file. Weights are views into it: loading never copies them,
// except when the bytes are copied once into 2 MiB pages (issue 10, BF16 decode bandwidth).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/huge_pages.h"

namespace hy {

// How the bytes of an opened file are held.
enum class FileResidency {
    // mmap of the file: page-cache pages, 4 KiB each. Decode then walks ~106K page-table entries per
    // token of the bench model, and the hardware prefetchers restart at every 4 KiB page.
    MAPPED,
    // read once into anonymous memory aligned to 2 MiB with madvise(MADV_HUGEPAGE): transparent huge
    // pages where the kernel has them. RSS is the file size, as with the mapping once every weight has
    // been touched (the file is never mapped, so its page cache is not counted twice); loading costs
    // one copy of the file (~1-2 s per 1.5 GB), and processes no longer share the page cache. Files
    // under 2 MiB or over half of MemAvailable stay MAPPED.
    HUGE_PAGE_COPY,
};

// The residency load_model asks for when it opens weight files (metadata-only readers such as the
// tokenizer or `inspect` open them MAPPED): HUGE_PAGE_COPY, or MAPPED with HYSERVE_HUGEPAGES=0 (or
// off), until set_weights_file_residency overrides it (tests).
FileResidency weights_file_residency();
void set_weights_file_residency(FileResidency r);

class MappedFile {
  public:
    // Throws hy::Error naming the path if the file cannot be opened, mapped or read.
    static std::shared_ptr<const MappedFile> open(const std::string& path,
                                                  FileResidency residency = FileResidency::MAPPED);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const uint8_t* data() const { return data_; }
    size_t size() const { return size_; }
    const std::string& path() const { return path_; }
    // What open() did: MAPPED for small or too large files even when HUGE_PAGE_COPY was asked for.
    FileResidency residency() const {
        return copy_.data() ? FileResidency::HUGE_PAGE_COPY : FileResidency::MAPPED;
    }

    // A HUGE_PAGE_COPY file's bytes are this process's own: `fn` may rewrite them in place (the
    // loader's repacking, model/bf16_panels.h) while the region is writable; true once done. A MAPPED
    // file is the page cache's and stays as it is: false, `fn` not called. Load time only, before any
    // other thread reads the weights.
    bool rewrite_in_place(const std::function<void(uint8_t* bytes)>& fn) const;

  private:
    MappedFile() = default;
    const uint8_t* data_ = nullptr;
    size_t size_ = 0;
    HugePageRegion copy_;  // HUGE_PAGE_COPY: the bytes; MAPPED: empty, data_ is the file mapping
    std::string path_;
};

}  // namespace hy
