#include "model/safetensors_writer.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "core/error.h"
#include "model/safetensors.h"

namespace hy {

std::vector<uint8_t> serialize_safetensors(const std::vector<SafetensorsTensorIn>& tensors,
                                           const std::map<std::string, std::string>& metadata) {
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) {
        nlohmann::ordered_json md = nlohmann::ordered_json::object();
        for (const auto& [k, v] : metadata) md[k] = v;
        header["__metadata__"] = md;
    }
    std::set<std::string> names;
    uint64_t offset = 0;
    for (const auto& t : tensors) {
        if (t.name == "__metadata__" || !names.insert(t.name).second)
            throw Error("write_safetensors: duplicate or reserved tensor name '" + t.name + "'");
        const char* dt = safetensors_dtype_name(t.dtype);
        uint64_t numel = 1;
        for (int64_t d : t.shape) {
            if (d < 0) throw Error("write_safetensors: tensor '" + t.name + "' has a negative dim");
            numel *= static_cast<uint64_t>(d);
        }
        const uint64_t need = dtype_bytes(t.dtype, numel);
        if (need != t.nbytes)
            throw Error("write_safetensors: tensor '" + t.name + "' has " + std::to_string(t.nbytes) +
                        " bytes, shape needs " + std::to_string(need));
        header[t.name] = {{"dtype", dt}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.nbytes}}};
        offset += t.nbytes;
    }
    std::string h = header.dump();
    h.append((8 - h.size() % 8) % 8, ' ');
    std::vector<uint8_t> out(8 + h.size() + offset);
    const uint64_t hlen = h.size();
    for (int i = 0; i < 8; ++i) out[static_cast<size_t>(i)] = static_cast<uint8_t>(hlen >> (8 * i));
    std::memcpy(out.data() + 8, h.data(), h.size());
    uint8_t* p = out.data() + 8 + h.size();
    for (const auto& t : tensors) {
        if (t.nbytes) std::memcpy(p, t.data, t.nbytes);
        p += t.nbytes;
    }
    return out;
}

void write_safetensors(const std::string& path, const std::vector<SafetensorsTensorIn>& tensors,
                       const std::map<std::string, std::string>& metadata) {
    const std::vector<uint8_t> bytes = serialize_safetensors(tensors, metadata);
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) throw file_error(path, std::string("cannot create: ") + std::strerror(errno));
    const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    if (std::fclose(f) != 0 || !ok) throw file_error(path, "write failed");
}

}  // namespace hy
