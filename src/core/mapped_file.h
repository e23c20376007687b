// A read-only memory mapping of a whole file. Weights are views into it: loading never copies them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace hy {

class MappedFile {
public:
    // Throws hy::Error naming the path if the file cannot be opened or mapped.
    static std::shared_ptr<const MappedFile> open(const std::string& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const uint8_t* data() const { return data_; }
    size_t size() const { return size_; }
    const std::string& path() const { return path_; }

private:
    MappedFile() = default;
    const uint8_t* data_ = nullptr;
    size_t size_ = 0;
    std::string path_;
};

}  // namespace hy
