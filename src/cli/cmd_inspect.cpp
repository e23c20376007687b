// `hyserve inspect [PATH] [--json]`: the parsed config, the logical tensor table (stored dtype, logical
// shape, bytes), total parameters and parameters active per token. PATH defaults to the embedded model.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/mapped_file.h"
#include "model/config_io.h"
#include "model/model_loader.h"

namespace hy::cli {

namespace {

using nlohmann::json;

std::string shape_str(const std::vector<int64_t>& s) {
    std::string r = "[";
    for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
    return r + "]";
}

int64_t numel(const std::vector<int64_t>& s) {
    int64_t n = 1;
    for (int64_t d : s) n *= d;
    return n;
}

struct ParamCounts {
    int64_t total = 0;   // every logical tensor once (a tied head is the embedding)
    int64_t mtp = 0;     // of which in the MTP block
    int64_t active = 0;  // per token in the trunk: all but the (E - k) unused routed experts per MoE layer
};

ParamCounts count_params(const ModelConfig& c, const std::vector<LoadedTensor>& ts) {
    ParamCounts p;
    int64_t routed = 0;  // trunk routed-expert parameters
    for (const auto& t : ts) {
        const int64_t n = numel(t.name.shape);
        p.total += n;
        if (t.name.mtp) {
            p.mtp += n;
        } else if (t.name.logical.find(".moe.experts.") != std::string::npos) {
            routed += n;
        }
    }
    const int64_t E = c.n_routed_experts;
    p.active = p.total - p.mtp - routed + (E > 0 ? routed / E * c.num_experts_per_tok : 0);
    return p;
}

json to_json(const std::string& path, const ModelWeights& w, const ModelLoadInfo& info) {
    json j;
    j["path"] = path;
    j["format"] = info.format == WeightFormat::GGUF ? "gguf" : "hf";
    j["config"] = config_to_json(w.config);
    json ts = json::array();
    for (const auto& t : info.tensors)
        ts.push_back({{"name", t.name.logical},
                      {"stored_name", t.name.stored},
                      {"dtype", dtype_name(t.view.dtype)},
                      {"shape", t.name.shape},
                      {"stored_shape", t.name.stored_shape},
                      {"bytes", t.view.nbytes}});
    j["tensors"] = ts;
    json unused = json::array();
    for (const auto& t : info.unused)
        unused.push_back(
            {{"stored_name", t.name}, {"dtype", dtype_name(t.dtype)}, {"stored_shape", t.shape}});
    j["unused_tensors"] = unused;
    const ParamCounts p = count_params(w.config, info.tensors);
    j["total_params"] = p.total;
    j["mtp_params"] = p.mtp;
    j["active_params"] = p.active;
    uint64_t bytes = 0;
    for (const auto& t : info.tensors) bytes += t.view.nbytes;
    j["tensor_bytes"] = bytes;
    return j;
}

void print_text(const json& j) {
    std::printf("model: %s (%s)\n\nconfig:\n", j["path"].get<std::string>().c_str(),
                j["format"].get<std::string>().c_str());
    for (const auto& [k, v] : j["config"].items()) {
        if (k == "derived") continue;
        std::printf("  %-38s %s\n", k.c_str(), v.dump().c_str());
    }
    for (const auto& [k, v] : j["config"]["derived"].items())
        std::printf("  %-38s %s (derived)\n", k.c_str(), v.dump().c_str());
    std::printf("\ntensors:\n  %-36s %-8s %-18s %12s  %s\n", "logical name", "dtype", "shape", "bytes",
                "stored as");
    for (const auto& t : j["tensors"])
        std::printf("  %-36s %-8s %-18s %12llu  %s\n", t["name"].get<std::string>().c_str(),
                    t["dtype"].get<std::string>().c_str(),
                    shape_str(t["shape"].get<std::vector<int64_t>>()).c_str(),
                    static_cast<unsigned long long>(t["bytes"].get<uint64_t>()),
                    t["stored_name"].get<std::string>().c_str());
    for (const auto& t : j["unused_tensors"])
        std::printf("  (unused) %s %s %s\n", t["stored_name"].get<std::string>().c_str(),
                    t["dtype"].get<std::string>().c_str(),
                    shape_str(t["stored_shape"].get<std::vector<int64_t>>()).c_str());
    std::printf("\ntotal parameters:            %lld\n",
                static_cast<long long>(j["total_params"].get<int64_t>()));
    std::printf("  of which MTP block:        %lld\n",
                static_cast<long long>(j["mtp_params"].get<int64_t>()));
    std::printf(
        "active parameters per token: %lld (trunk: embeddings + non-expert + k of E routed experts)\n",
        static_cast<long long>(j["active_params"].get<int64_t>()));
    std::printf("tensor bytes:                %llu\n",
                static_cast<unsigned long long>(j["tensor_bytes"].get<uint64_t>()));
}

}  // namespace

void register_inspect(CLI::App& app) {
    auto path = std::make_shared<std::string>();
    auto as_json = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand("inspect", "Print a model's config, tensor table and parameter counts");
    cmd->add_option("path", *path,
                    "HF model directory, .safetensors or .gguf file (default: the embedded model)");
    cmd->add_flag("--json", *as_json, "Print one JSON object");
    cmd->callback([path, as_json] {
        const std::string p = path->empty() ? default_model_path() : *path;
        ModelLoadInfo info;
        // A table of tensors needs no copy of the weights in 2 MiB pages (core/mapped_file.h).
        set_weights_file_residency(FileResidency::MAPPED);
        ModelWeights w = load_model(p, &info);
        json j = to_json(p, w, info);
        if (*as_json) {
            std::printf("%s\n", j.dump(2).c_str());
        } else {
            print_text(j);
        }
    });
}

}  // namespace hy::cli
