// Writing safetensors files in the layout HF's `safetensors` library reads and writes: u64 LE header
// length, a JSON header padded with spaces to a multiple of 8 bytes, then the tensor data back to back
// in the order given. Used by `hyserve make-test-model` and by tests (also to build broken files).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/dtype.h"

namespace hy {

struct SafetensorsTensorIn {
    std::string name;
    DType dtype = DType::F32;    // F32, F16, BF16, F8_E4M3, F64, I8, I16, I32, I64, U8, BOOL
    std::vector<int64_t> shape;  // PyTorch order
    const void* data = nullptr;  // nbytes bytes, not owned (only read during the call)
    size_t nbytes = 0;           // must equal numel x dtype size
};

// The whole file image. Throws hy::Error on a size mismatch, a duplicate name or an unsupported dtype.
std::vector<uint8_t> serialize_safetensors(const std::vector<SafetensorsTensorIn>& tensors,
                                           const std::map<std::string, std::string>& metadata = {});

// Writes serialize_safetensors(...) to `path` (throws hy::Error naming the path on I/O failure).
void write_safetensors(const std::string& path, const std::vector<SafetensorsTensorIn>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace hy
