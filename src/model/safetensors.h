// Reading HF safetensors files: a single file, or a sharded checkpoint described by
// `model.safetensors.index.json`. Files are memory-mapped and tensors are views into the mapping.
//
// File layout: u64 little-endian header length N, N bytes of JSON (an object mapping tensor name ->
// {"dtype", "shape", "data_offsets": [begin, end]} plus an optional "__metadata__" string map), then
// the data area; offsets are relative to the start of the data area.
//
// Everything in the header is validated before any view is made: the header length lies within the
// file (and below 100 MB), the JSON is well-formed, every entry has exactly a known dtype, a shape of
// non-negative dims whose product does not overflow, data_offsets with begin <= end inside the data
// area, end - begin == numel x dtype size, and no two tensors overlap. Any violation throws hy::Error
// whose message starts with the file path and names the offending tensor or key.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/mapped_file.h"
#include "model/tensor.h"

namespace hy {

struct SafetensorsArchive {
    // Every tensor of every shard, in header order per shard (shards in index order). Shapes are in
    // file (PyTorch) order. dtypes: F32, F16, BF16, F8_E4M3, F64, I8, I16, I32, I64, U8, BOOL.
    // FP8 sidecars (NVIDIA convention): for an F8_E4M3 tensor `X`, a one-element tensor `X_scale`
    // (i.e. `....weight_scale` next to `....weight`) sets TensorView::scale of `X`. The sidecar tensors
    // themselves (and `input_scale` tensors) stay in this list as ordinary tensors.
    std::vector<TensorView> tensors;
    // `__metadata__` of the (first) file; for a sharded checkpoint the union over shards plus the
    // index file's "metadata" entries whose values are strings or numbers (stringified).
    std::map<std::string, std::string> metadata;
    // The mappings the views point into; keep the archive (or these) alive while using the views.
    std::vector<std::shared_ptr<const MappedFile>> files;
    // The path that was opened (file or directory); used in error messages.
    std::string path;

    // nullptr if absent.
    const TensorView* find(std::string_view name) const;
    // Throws hy::Error "<path>: missing tensor <name>" if absent.
    const TensorView& get(std::string_view name) const;

    // name -> position in `tensors` (built by the readers; rebuilt by find() users via reindex()).
    std::unordered_map<std::string, size_t> index;
    void reindex();
};

// `path` is a .safetensors file, or a directory holding `model.safetensors.index.json` (every shard
// named in its weight_map is loaded, and each tensor must be in the shard the index names) or a single
// `model.safetensors`. Duplicate tensor names across shards are an error.
// `residency` applies to the .safetensors files (the index JSON is mapped): see open_gguf.
SafetensorsArchive open_safetensors(const std::string& path, FileResidency residency = FileResidency::MAPPED);

// Parses one safetensors image held in memory (no mapping is kept: `files` stays empty and the views
// point into `data`, which must outlive them). `name` is used in error messages as the file path.
// open_safetensors uses this for every file; the fuzz target calls it directly.
SafetensorsArchive parse_safetensors(const uint8_t* data, size_t size, const std::string& name);

// safetensors dtype string ("F32", "BF16", "F8_E4M3", ...) <-> DType. Block-quantised types have no
// safetensors name: safetensors_dtype_name throws hy::Error for them.
bool safetensors_dtype_from_string(std::string_view s, DType* out);
const char* safetensors_dtype_name(DType t);

}  // namespace hy
