#include "model/safetensors.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "core/error.h"

namespace hy {

namespace {

using ojson = nlohmann::ordered_json;

constexpr uint64_t kMaxHeaderBytes = 100ull << 20;  // the HF library's own limit
constexpr int kMaxJsonDepth = 16;

std::string qname(std::string_view s) {
    std::string out = "'";
    for (char c : s.substr(0, 200)) out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
    if (s.size() > 200) out += "...";
    return out + "'";
}

// A JSON number that is a non-negative integer (floats, negatives and non-numbers are rejected).
bool json_u64(const ojson& j, uint64_t* out) {
    if (j.is_number_unsigned()) {
        *out = j.get<uint64_t>();
        return true;
    }
    if (j.is_number_integer() && j.get<int64_t>() >= 0) {
        *out = static_cast<uint64_t>(j.get<int64_t>());
        return true;
    }
    return false;
}

struct Entry {
    size_t index;
    uint64_t begin, end;
};

// Sets TensorView::scale of each F8_E4M3 tensor X from a one-element sidecar tensor `X_scale`.
void apply_fp8_scales(std::vector<TensorView>& tensors, const std::unordered_map<std::string, size_t>& index,
                      const std::string& path) {
    for (TensorView& t : tensors) {
        if (t.dtype != DType::F8_E4M3) continue;
        auto it = index.find(t.name + "_scale");
        if (it == index.end()) continue;
        const TensorView& s = tensors[it->second];
        if (s.numel() != 1)
            throw file_error(path, "tensor " + qname(s.name) + ": FP8 scale of " + qname(t.name) +
                                       " must have one element (per-channel scales are not supported)");
        float v = 0.0f;
        if (s.dtype == DType::F32) {
            std::memcpy(&v, s.data, 4);
        } else if (s.dtype == DType::BF16 || s.dtype == DType::F16) {
            uint16_t h;
            std::memcpy(&h, s.data, 2);
            v = s.dtype == DType::BF16 ? bf16_to_f32(h) : f16_to_f32(h);
        } else {
            throw file_error(path, "tensor " + qname(s.name) + ": FP8 scale must be F32, BF16 or F16, not " +
                                       dtype_name(s.dtype));
        }
        t.scale = v;
    }
}

void build_index(std::vector<TensorView>& tensors, std::unordered_map<std::string, size_t>& index) {
    index.clear();
    index.reserve(tensors.size());
    for (size_t i = 0; i < tensors.size(); ++i) index.emplace(tensors[i].name, i);
}

}  // namespace

bool safetensors_dtype_from_string(std::string_view s, DType* out) {
    static const std::pair<const char*, DType> table[] = {
        {"F32", DType::F32}, {"F16", DType::F16}, {"BF16", DType::BF16}, {"F8_E4M3", DType::F8_E4M3},
        {"F64", DType::F64}, {"I8", DType::I8},   {"I16", DType::I16},   {"I32", DType::I32},
        {"I64", DType::I64}, {"U8", DType::U8},   {"BOOL", DType::BOOL},
    };
    for (const auto& [name, t] : table) {
        if (s == name) {
            *out = t;
            return true;
        }
    }
    return false;
}

const char* safetensors_dtype_name(DType t) {
    switch (t) {
        case DType::F32:
            return "F32";
        case DType::F16:
            return "F16";
        case DType::BF16:
            return "BF16";
        case DType::F8_E4M3:
            return "F8_E4M3";
        case DType::F64:
            return "F64";
        case DType::I8:
            return "I8";
        case DType::I16:
            return "I16";
        case DType::I32:
            return "I32";
        case DType::I64:
            return "I64";
        case DType::U8:
            return "U8";
        case DType::BOOL:
            return "BOOL";
        default:
            break;
    }
    throw Error(std::string("dtype ") + dtype_name(t) + " cannot be stored in safetensors");
}

const TensorView* SafetensorsArchive::find(std::string_view name) const {
    if (index.size() == tensors.size()) {
        auto it = index.find(std::string(name));
        return it == index.end() ? nullptr : &tensors[it->second];
    }
    for (const TensorView& t : tensors)
        if (t.name == name) return &t;
    return nullptr;
}

const TensorView& SafetensorsArchive::get(std::string_view name) const {
    const TensorView* t = find(name);
    if (!t) throw file_error(path, "missing tensor " + qname(name));
    return *t;
}

void SafetensorsArchive::reindex() {
    build_index(tensors, index);
}

SafetensorsArchive parse_safetensors(const uint8_t* data, size_t size, const std::string& name) {
    SafetensorsArchive ar;
    ar.path = name;
    if (size < 8)
        throw file_error(name,
                         "file too short for a safetensors header (" + std::to_string(size) + " bytes)");
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; --i) hlen = (hlen << 8) | data[i];
    if (hlen > size - 8)
        throw file_error(name, "header length " + std::to_string(hlen) + " is past the end of the file (" +
                                   std::to_string(size) + " bytes)");
    if (hlen > kMaxHeaderBytes)
        throw file_error(name, "header length " + std::to_string(hlen) + " exceeds the limit of " +
                                   std::to_string(kMaxHeaderBytes) + " bytes");
    if (hlen < 2 || data[8] != '{')
        throw file_error(name, "header is not a JSON object (it must start with '{')");
    const char* hbeg = reinterpret_cast<const char*>(data + 8);
    const uint8_t* area = data + 8 + hlen;
    const uint64_t area_size = size - 8 - hlen;

    // Parse with a callback that bounds nesting and catches duplicate top-level keys (nlohmann would
    // silently keep the last one).
    std::set<std::string> seen;
    std::string duplicate;
    bool too_deep = false;
    ojson::parser_callback_t cb = [&](int depth, ojson::parse_event_t ev, ojson& parsed) {
        if (depth > kMaxJsonDepth) too_deep = true;
        if (ev == ojson::parse_event_t::key && depth == 1 && parsed.is_string()) {
            if (!seen.insert(parsed.get<std::string>()).second && duplicate.empty())
                duplicate = parsed.get<std::string>();
        }
        return !too_deep;  // stop keeping values once too deep (their contents are discarded)
    };
    ojson header;
    try {
        header = ojson::parse(hbeg, hbeg + hlen, cb, /*allow_exceptions=*/true);
    } catch (const nlohmann::json::exception& e) {
        throw file_error(name, std::string("header is not valid JSON: ") + e.what());
    }
    if (too_deep) throw file_error(name, "header JSON nests deeper than " + std::to_string(kMaxJsonDepth));
    if (!duplicate.empty()) throw file_error(name, "duplicate header key " + qname(duplicate));
    if (!header.is_object()) throw file_error(name, "header is not a JSON object");

    std::vector<Entry> entries;
    for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string& key = it.key();
        const ojson& v = it.value();
        if (key == "__metadata__") {
            if (!v.is_object()) throw file_error(name, "__metadata__ is not a JSON object");
            for (auto m = v.begin(); m != v.end(); ++m) {
                if (!m.value().is_string())
                    throw file_error(name, "__metadata__ key " + qname(m.key()) + " is not a string");
                ar.metadata[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        const std::string what = "tensor " + qname(key);
        if (!v.is_object()) throw file_error(name, what + ": entry is not a JSON object");
        auto dt = v.find("dtype");
        auto sh = v.find("shape");
        auto off = v.find("data_offsets");
        if (dt == v.end() || !dt->is_string())
            throw file_error(name, what + ": missing or non-string 'dtype'");
        if (sh == v.end() || !sh->is_array()) throw file_error(name, what + ": missing or non-array 'shape'");
        if (off == v.end() || !off->is_array() || off->size() != 2)
            throw file_error(name, what + ": 'data_offsets' must be an array [begin, end]");
        TensorView t;
        t.name = key;
        if (!safetensors_dtype_from_string(dt->get<std::string>(), &t.dtype))
            throw file_error(name, what + ": unsupported dtype " + qname(dt->get<std::string>()));
        if (sh->size() > 8) throw file_error(name, what + ": more than 8 dims");
        // The product of the non-zero dims must fit in int64 (so that TensorView::numel() cannot
        // overflow in any order, even when another dim is 0).
        uint64_t nonzero = 1;
        bool any_zero = false;
        for (const ojson& d : *sh) {
            uint64_t dim;
            if (!json_u64(d, &dim))
                throw file_error(name, what + ": shape dims must be non-negative integers");
            if (dim == 0) any_zero = true;
            if (dim > static_cast<uint64_t>(INT64_MAX) ||
                __builtin_mul_overflow(nonzero, dim ? dim : 1, &nonzero) ||
                nonzero > static_cast<uint64_t>(INT64_MAX))
                throw file_error(name, what + ": shape element count overflows");
            t.shape.push_back(static_cast<int64_t>(dim));
        }
        const uint64_t numel = any_zero ? 0 : nonzero;
        uint64_t begin, end;
        if (!json_u64((*off)[0], &begin) || !json_u64((*off)[1], &end))
            throw file_error(name, what + ": data_offsets must be non-negative integers");
        if (begin > end)
            throw file_error(name, what + ": data_offsets begin " + std::to_string(begin) + " > end " +
                                       std::to_string(end));
        if (end > area_size)
            throw file_error(name, what + ": data_offsets [" + std::to_string(begin) + ", " +
                                       std::to_string(end) + "] past the end of the data area (" +
                                       std::to_string(area_size) + " bytes)");
        const uint64_t esize = static_cast<uint64_t>(dtype_info(t.dtype).block_bytes);
        uint64_t nbytes;
        if (__builtin_mul_overflow(numel, esize, &nbytes) || nbytes != end - begin)
            throw file_error(name, what + ": " + std::to_string(end - begin) + " data bytes, but shape x " +
                                       dt->get<std::string>() + " needs " +
                                       (nbytes / esize == numel ? std::to_string(nbytes) : "more"));
        t.data = area + begin;
        t.nbytes = nbytes;
        entries.push_back({ar.tensors.size(), begin, end});
        ar.tensors.push_back(std::move(t));
    }
    // No two non-empty tensors may share bytes.
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    const Entry* prev = nullptr;
    for (const Entry& e : entries) {
        if (e.begin == e.end) continue;
        if (prev && e.begin < prev->end)
            throw file_error(name, "tensor " + qname(ar.tensors[e.index].name) + " overlaps tensor " +
                                       qname(ar.tensors[prev->index].name));
        prev = &e;
    }
    ar.reindex();
    apply_fp8_scales(ar.tensors, ar.index, name);
    return ar;
}

namespace {

SafetensorsArchive open_one(const std::string& path, FileResidency residency) {
    auto file = MappedFile::open(path, residency);
    SafetensorsArchive ar = parse_safetensors(file->data(), file->size(), path);
    ar.files.push_back(std::move(file));
    return ar;
}

SafetensorsArchive open_sharded(const std::string& dir, const std::string& index_path,
                                FileResidency residency) {
    auto ifile = MappedFile::open(index_path);
    const char* p = reinterpret_cast<const char*>(ifile->data());
    ojson idx;
    try {
        idx = ojson::parse(p, p + ifile->size());
    } catch (const nlohmann::json::exception& e) {
        throw file_error(index_path, std::string("not valid JSON: ") + e.what());
    }
    if (!idx.is_object()) throw file_error(index_path, "not a JSON object");
    auto wm = idx.find("weight_map");
    if (wm == idx.end() || !wm->is_object())
        throw file_error(index_path, "missing or non-object 'weight_map'");

    SafetensorsArchive ar;
    ar.path = dir;
    std::vector<std::string> shards;  // in order of first appearance
    std::unordered_map<std::string, size_t> shard_of;
    std::vector<std::pair<std::string, size_t>> wanted;  // tensor -> shard number
    for (auto it = wm->begin(); it != wm->end(); ++it) {
        if (!it.value().is_string())
            throw file_error(index_path,
                             "weight_map entry for tensor " + qname(it.key()) + " is not a string");
        const std::string shard = it.value().get<std::string>();
        if (shard.empty() || shard.find('/') != std::string::npos || shard == "." || shard == "..")
            throw file_error(index_path, "weight_map entry for tensor " + qname(it.key()) +
                                             " names an invalid shard file " + qname(shard));
        auto [pos, inserted] = shard_of.emplace(shard, shards.size());
        if (inserted) shards.push_back(shard);
        wanted.emplace_back(it.key(), pos->second);
    }
    if (shards.empty()) throw file_error(index_path, "weight_map is empty");
    if (auto md = idx.find("metadata"); md != idx.end() && md->is_object()) {
        for (auto m = md->begin(); m != md->end(); ++m) {
            if (m.value().is_string())
                ar.metadata[m.key()] = m.value().get<std::string>();
            else if (m.value().is_number())
                ar.metadata[m.key()] = m.value().dump();
        }
    }

    std::vector<std::unordered_map<std::string, size_t>> shard_names(shards.size());
    for (size_t s = 0; s < shards.size(); ++s) {
        const std::string spath = (std::filesystem::path(dir) / shards[s]).string();
        SafetensorsArchive part;
        try {
            part = open_one(spath, residency);
        } catch (const Error& e) {
            // Name the index and a tensor that needs the shard, as well as the shard's own error.
            std::string tensor;
            for (const auto& [n, si] : wanted)
                if (si == s) {
                    tensor = n;
                    break;
                }
            throw file_error(index_path, "shard " + qname(shards[s]) + " (holding tensor " + qname(tensor) +
                                             ") cannot be loaded: " + e.what());
        }
        for (const TensorView& t : part.tensors) {
            if (ar.index.count(t.name))
                throw file_error(spath, "tensor " + qname(t.name) + " is also stored in another shard");
            shard_names[s].emplace(t.name, ar.tensors.size());
            ar.index.emplace(t.name, ar.tensors.size());
            ar.tensors.push_back(t);
        }
        for (auto& [k, v] : part.metadata) ar.metadata.emplace(k, v);
        ar.files.push_back(part.files.front());
    }
    for (const auto& [n, s] : wanted) {
        if (!shard_names[s].count(n)) {
            const std::string spath = (std::filesystem::path(dir) / shards[s]).string();
            throw file_error(index_path, "tensor " + qname(n) + " is mapped to shard " + qname(shards[s]) +
                                             " but " + spath + " does not contain it");
        }
    }
    // FP8 scales may live in another shard than their weight.
    apply_fp8_scales(ar.tensors, ar.index, dir);
    return ar;
}

}  // namespace

SafetensorsArchive open_safetensors(const std::string& path, FileResidency residency) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        const auto index = std::filesystem::path(path) / "model.safetensors.index.json";
        if (std::filesystem::exists(index, ec)) return open_sharded(path, index.string(), residency);
        const auto single = std::filesystem::path(path) / "model.safetensors";
        if (std::filesystem::exists(single, ec)) {
            SafetensorsArchive ar = open_one(single.string(), residency);
            return ar;
        }
        throw file_error(path, "directory has neither model.safetensors.index.json nor model.safetensors");
    }
    return open_one(path, residency);
}

}  // namespace hy
