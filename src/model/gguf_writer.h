// Writing GGUF v3 files in llama.cpp's layout (what gguf-py writes): header, metadata in insertion
// order, tensor infos in insertion order, padding to the alignment, then each tensor's data padded to
// the alignment. Used by `hyserve make-test-model` and by tests.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/dtype.h"
#include "model/gguf.h"

namespace hy {

class GgufWriter {
  public:
    // `alignment` must be a power of two; a value other than 32 is also written as general.alignment.
    explicit GgufWriter(uint64_t alignment = 32);

    // Adds a metadata key (insertion order is file order). A duplicate key throws hy::Error.
    void add(std::string key, GgufValue value);
    // Adds a tensor; `shape` is in PyTorch order (written as ne reversed). The data are copied.
    // Throws hy::Error on a size mismatch (bytes != dtype_bytes(numel)), a row not a multiple of the
    // block size, more than 4 dims, a dtype GGUF cannot store, or a duplicate name.
    void add_tensor(std::string name, DType dtype, std::vector<int64_t> shape, const void* data,
                    size_t bytes);

    std::vector<uint8_t> serialize() const;     // the whole file image
    void write(const std::string& path) const;  // throws hy::Error naming the path on I/O failure

  private:
    struct Tensor {
        std::string name;
        DType dtype;
        std::vector<int64_t> shape;
        std::vector<uint8_t> data;
    };
    uint64_t alignment_;
    std::vector<std::pair<std::string, GgufValue>> kv_;
    std::vector<Tensor> tensors_;
};

}  // namespace hy
