// Reading GGUF files (versions 2 and 3, as written by llama.cpp / gguf-py). The file is memory-mapped
// and tensors are views into the mapping.
//
// Layout (all little-endian): "GGUF", u32 version, u64 tensor_count, u64 kv_count, kv_count x
// (string key, u32 value type, value), tensor_count x (string name, u32 n_dims, n_dims x u64 ne,
// u32 ggml type, u64 offset), padding to `general.alignment` (default 32), then the data area.
// A string is u64 length + bytes (no terminator); an array is u32 element type + u64 count + elements.
//
// Validated: magic, version, counts against the bytes left, every length/count against EOF, array
// nesting depth, duplicate keys and tensor names, alignment (power of two), n_dims <= 4, dims >= 0 whose
// product does not overflow, the row length a multiple of the type's block size, known ggml type ids,
// offsets aligned, inside the file, and not overlapping. Any violation throws hy::Error whose message
// starts with the file path and names the key or tensor (or the byte offset where reading stopped).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/mapped_file.h"
#include "model/tensor.h"

namespace hy {

// GGUF metadata value types (gguf_type in ggml).
enum class GgufType : uint32_t {
    UINT8 = 0,
    INT8 = 1,
    UINT16 = 2,
    INT16 = 3,
    UINT32 = 4,
    INT32 = 5,
    FLOAT32 = 6,
    BOOL = 7,
    STRING = 8,
    ARRAY = 9,
    UINT64 = 10,
    INT64 = 11,
    FLOAT64 = 12,
};
const char* gguf_type_name(GgufType t);  // "u8", "i32", "f32", "string", "array", ...
size_t gguf_scalar_size(GgufType t);     // bytes of a scalar type; 0 for STRING and ARRAY

// One metadata value: a scalar, a string, or an array of any type (arrays may nest).
// Accessors throw hy::Error naming key() when the stored type does not fit.
struct GgufValue {
    GgufValue() = default;

    // --- construction (for the writer and tests) ---
    static GgufValue u8(uint8_t v);
    static GgufValue i8(int8_t v);
    static GgufValue u16(uint16_t v);
    static GgufValue i16(int16_t v);
    static GgufValue u32(uint32_t v);
    static GgufValue i32(int32_t v);
    static GgufValue u64(uint64_t v);
    static GgufValue i64(int64_t v);
    static GgufValue f32(float v);
    static GgufValue f64(double v);
    static GgufValue boolean(bool v);
    static GgufValue string(std::string v);
    // An array whose elements all have type `elem` (each element of `elems` must have that type).
    static GgufValue array(GgufType elem, std::vector<GgufValue> elems);
    static GgufValue string_array(std::vector<std::string> v);
    static GgufValue i32_array(const std::vector<int32_t>& v);
    static GgufValue u32_array(const std::vector<uint32_t>& v);
    static GgufValue i64_array(const std::vector<int64_t>& v);
    static GgufValue f32_array(const std::vector<float>& v);
    static GgufValue bool_array(const std::vector<bool>& v);

    GgufType type() const { return type_; }
    const std::string& key() const { return key_; }  // set for top-level values read from a file
    void set_key(std::string k) { key_ = std::move(k); }
    bool is_int() const;    // any of the 8 integer types
    bool is_float() const;  // f32 or f64
    bool is_string() const { return type_ == GgufType::STRING; }
    bool is_bool() const { return type_ == GgufType::BOOL; }
    bool is_array() const { return type_ == GgufType::ARRAY; }

    // --- scalars ---
    int64_t as_int() const;                // integer types only (u64 above INT64_MAX throws)
    uint64_t as_uint() const;              // integer types only, value must be >= 0
    double as_float() const;               // f32, f64 and the integer types
    bool as_bool() const;                  // bool only
    const std::string& as_string() const;  // string only

    // --- arrays ---
    GgufType array_type() const;                 // element type (throws unless is_array())
    size_t size() const;                         // element count (throws unless is_array())
    GgufValue at(size_t i) const;                // element i as a standalone value (throws if out of range)
    std::vector<int64_t> as_int_array() const;   // array of integers (or bools)
    std::vector<double> as_float_array() const;  // array of floats or integers
    const std::vector<std::string>& as_string_array() const;  // array of strings
    const std::vector<GgufValue>& as_array_array() const;     // array of arrays

    // Short human-readable rendering (arrays abbreviated after `max_elems`), for `inspect`.
    std::string to_string(size_t max_elems = 8) const;

    // Raw access used by the writer: little-endian scalar bits / primitive array bytes.
    uint64_t raw_bits() const { return bits_; }
    const std::vector<uint8_t>& raw_array() const { return raw_; }

  private:
    friend class GgufParser;
    [[noreturn]] void mismatch(const char* wanted) const;
    GgufType type_ = GgufType::UINT8;
    std::shared_ptr<const std::string> origin_;  // file path for error messages (values read from a file)
    GgufType elem_ = GgufType::UINT8;            // arrays
    std::string key_;
    uint64_t bits_ = 0;              // scalars: the value's little-endian bits, zero-extended
    std::string str_;                // STRING
    std::vector<uint8_t> raw_;       // arrays of scalar numbers / bools: packed elements
    std::vector<std::string> strs_;  // arrays of strings
    std::vector<GgufValue> arrs_;    // arrays of arrays
};

struct GgufFile {
    uint32_t version = 3;
    std::vector<std::pair<std::string, GgufValue>> metadata;  // file order
    std::vector<TensorView> tensors;                          // file order; shape = ne reversed
    uint64_t alignment = 32;
    uint64_t data_offset = 0;                // start of the data area in the file
    std::shared_ptr<const MappedFile> file;  // keeps the views alive (null after parse_gguf)
    std::string path;

    const GgufValue* find(std::string_view key) const;           // nullptr if absent
    const GgufValue& get(std::string_view key) const;            // throws "<path>: missing key <key>"
    const TensorView* find_tensor(std::string_view name) const;  // nullptr if absent
    const TensorView& get_tensor(std::string_view name) const;   // throws "<path>: missing tensor"

    std::unordered_map<std::string, size_t> key_index;     // key -> position in metadata
    std::unordered_map<std::string, size_t> tensor_index;  // name -> position in tensors
};

// ggml tensor type ids understood here: F32 0, F16 1, Q4_0 2, Q8_0 8, Q4_K 12, Q6_K 14, I8 24,
// I16 25, I32 26, I64 27, F64 28, BF16 30. Returns false for any other id.
bool ggml_type_to_dtype(uint32_t ggml_type, DType* out);
// Throws hy::Error for F8_E4M3, U8 and BOOL, which GGUF cannot store.
uint32_t dtype_to_ggml_type(DType t);

// MAPPED for readers of metadata; load_model asks for weights_file_residency() (core/mapped_file.h).
GgufFile open_gguf(const std::string& path, FileResidency residency = FileResidency::MAPPED);

// Parses a GGUF image in memory; views point into `data` (which must outlive them); `name` is used as
// the path in error messages. open_gguf uses this; the fuzz target calls it directly.
GgufFile parse_gguf(const uint8_t* data, size_t size, const std::string& name);

}  // namespace hy
