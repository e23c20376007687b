#include "model/gguf_writer.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/error.h"

namespace hy {

namespace {

struct Out {
    std::vector<uint8_t> b;
    void le(uint64_t v, size_t n) {
        for (size_t i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
    void u32(uint32_t v) { le(v, 4); }
    void u64(uint64_t v) { le(v, 8); }
    void str(const std::string& s) {
        u64(s.size());
        b.insert(b.end(), s.begin(), s.end());
    }
    void pad(uint64_t align) {
        while (b.size() % align) b.push_back(0);
    }
};

// The payload of a value (its type id is written by the caller).
void write_value(Out& o, const GgufValue& v) {
    switch (v.type()) {
        case GgufType::STRING:
            o.str(v.as_string());
            return;
        case GgufType::ARRAY: {
            const GgufType elem = v.array_type();
            o.u32(static_cast<uint32_t>(elem));
            o.u64(v.size());
            if (elem == GgufType::STRING) {
                for (const auto& s : v.as_string_array()) o.str(s);
            } else if (elem == GgufType::ARRAY) {
                // Each nested array is its own element type + count + elements (no value type id:
                // the outer array's element type says ARRAY).
                for (const auto& a : v.as_array_array()) write_value(o, a);
            } else {
                o.b.insert(o.b.end(), v.raw_array().begin(), v.raw_array().end());
            }
            return;
        }
        default:
            o.le(v.raw_bits(), gguf_scalar_size(v.type()));
            return;
    }
}

}  // namespace

GgufWriter::GgufWriter(uint64_t alignment) : alignment_(alignment) {
    if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        throw Error("GgufWriter: alignment " + std::to_string(alignment) + " is not a power of two");
    if (alignment != 32) add("general.alignment", GgufValue::u32(static_cast<uint32_t>(alignment)));
}

void GgufWriter::add(std::string key, GgufValue value) {
    for (const auto& [k, v] : kv_)
        if (k == key) throw Error("GgufWriter: duplicate metadata key '" + key + "'");
    kv_.emplace_back(std::move(key), std::move(value));
}

void GgufWriter::add_tensor(std::string name, DType dtype, std::vector<int64_t> shape, const void* data,
                            size_t bytes) {
    for (const auto& t : tensors_)
        if (t.name == name) throw Error("GgufWriter: duplicate tensor '" + name + "'");
    (void)dtype_to_ggml_type(dtype);  // throws for dtypes GGUF cannot store
    if (shape.size() > 4) throw Error("GgufWriter: tensor '" + name + "' has more than 4 dims");
    uint64_t numel = 1;
    for (int64_t d : shape) {
        if (d < 0) throw Error("GgufWriter: tensor '" + name + "' has a negative dim");
        numel *= static_cast<uint64_t>(d);
    }
    const uint64_t row = shape.empty() ? 1 : static_cast<uint64_t>(shape.back());
    if (!dtype_row_ok(dtype, row))
        throw Error("GgufWriter: tensor '" + name + "' row length " + std::to_string(row) +
                    " is not a multiple of the " + dtype_name(dtype) + " block size");
    if (dtype_bytes(dtype, numel) != bytes)
        throw Error("GgufWriter: tensor '" + name + "' has " + std::to_string(bytes) +
                    " bytes, shape needs " + std::to_string(dtype_bytes(dtype, numel)));
    Tensor t{std::move(name), dtype, std::move(shape), {}};
    const auto* p = static_cast<const uint8_t*>(data);
    if (bytes) t.data.assign(p, p + bytes);
    tensors_.push_back(std::move(t));
}

std::vector<uint8_t> GgufWriter::serialize() const {
    Out o;
    o.b.insert(o.b.end(), {'G', 'G', 'U', 'F'});
    o.u32(3);
    o.u64(tensors_.size());
    o.u64(kv_.size());
    for (const auto& [k, v] : kv_) {
        o.str(k);
        o.u32(static_cast<uint32_t>(v.type()));
        write_value(o, v);
    }
    uint64_t offset = 0;
    for (const auto& t : tensors_) {
        o.str(t.name);
        o.u32(static_cast<uint32_t>(t.shape.size()));
        for (auto it = t.shape.rbegin(); it != t.shape.rend(); ++it) o.u64(static_cast<uint64_t>(*it));
        o.u32(dtype_to_ggml_type(t.dtype));
        o.u64(offset);
        offset += (t.data.size() + alignment_ - 1) / alignment_ * alignment_;
    }
    o.pad(alignment_);
    for (const auto& t : tensors_) {
        o.b.insert(o.b.end(), t.data.begin(), t.data.end());
        o.pad(alignment_);
    }
    return std::move(o.b);
}

void GgufWriter::write(const std::string& path) const {
    const std::vector<uint8_t> bytes = serialize();
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) throw file_error(path, std::string("cannot create: ") + std::strerror(errno));
    const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    if (std::fclose(f) != 0 || !ok) throw file_error(path, "write failed");
}

}  // namespace hy
