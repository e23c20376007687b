#include "model/hf_reference.h"

#include <filesystem>
#include <fstream>
#include <string_view>

#include "core/error.h"

namespace hy {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kHfScheme = "hf://";

// ORG/NAME with the characters Hugging Face allows in repo ids: each part starts with a letter or digit
// and goes on with letters, digits, '.', '_' and '-'.
bool is_repo_id(const std::string& s) {
    const size_t slash = s.find('/');
    if (slash == std::string::npos || s.find('/', slash + 1) != std::string::npos) return false;
    auto valid_part = [](std::string_view p) {
        auto alnum = [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        };
        if (p.empty() || !alnum(p[0])) return false;
        for (char c : p)
            if (!alnum(c) && c != '.' && c != '_' && c != '-') return false;
        return true;
    };
    return valid_part(std::string_view(s).substr(0, slash)) &&
           valid_part(std::string_view(s).substr(slash + 1));
}

std::string read_first_line(const fs::path& p) {
    std::ifstream in(p);
    std::string line;
    std::getline(in, line);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\n'))
        line.pop_back();
    return line;
}

}  // namespace

std::string hf_hub_cache_dir(const std::string& download_dir, const EnvGetter& env) {
    auto get = [&](const char* k) -> std::string {
        const char* v = env(k);
        return v ? std::string(v) : std::string();
    };
    if (!download_dir.empty()) return download_dir;
    for (const char* k : {"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"})
        if (std::string v = get(k); !v.empty()) return v;
    if (std::string v = get("HF_HOME"); !v.empty()) return (fs::path(v) / "hub").string();
    if (std::string v = get("XDG_CACHE_HOME"); !v.empty())
        return (fs::path(v) / "huggingface" / "hub").string();
    return (fs::path(get("HOME")) / ".cache" / "huggingface" / "hub").string();
}

std::string served_name_of_reference(const std::string& reference) {
    return reference.starts_with(kHfScheme) ? reference.substr(kHfScheme.size()) : reference;
}

std::string resolve_model_reference(const std::string& reference, const std::string& revision,
                                    const std::string& download_dir, const EnvGetter& env) {
    const bool hf_url = reference.starts_with(kHfScheme);
    for (const char* scheme : {"ngc://", "s3://", "gs://", "modelscope://", "http://", "https://"})
        if (reference.starts_with(scheme))
            throw Error("model '" + reference + "': " + scheme +
                            " sources are not downloaded by hyserve; fetch the model and pass its local path",
                        400, "invalid_request_error", "model");
    std::error_code ec;
    if (!hf_url && (fs::exists(reference, ec) || !is_repo_id(reference))) return reference;
    const std::string id = served_name_of_reference(reference);
    if (!is_repo_id(id))
        throw Error("model '" + reference + "': expected hf://ORG/NAME", 400, "invalid_request_error",
                    "model");
    const std::string rev = revision.empty() ? "main" : revision;
    const fs::path hub = hf_hub_cache_dir(download_dir, env);
    const fs::path repo =
        hub / ("models--" + id.substr(0, id.find('/')) + "--" + id.substr(id.find('/') + 1));
    const std::string fetch =
        "; hyserve does not download models: fetch it first (`huggingface-cli download " + id +
        (revision.empty() ? "" : " --revision " + revision) +
        "`, or set HF_HOME / HF_HUB_CACHE to the cache that holds it) or pass a local path";
    if (!fs::is_directory(repo, ec))
        throw Error("model '" + id + "' is neither a local path nor in the Hugging Face cache (" +
                        repo.string() + " does not exist)" + fetch,
                    400, "invalid_request_error", "model");
    std::string commit = rev;
    if (fs::is_regular_file(repo / "refs" / rev, ec)) commit = read_first_line(repo / "refs" / rev);
    const fs::path snapshot = repo / "snapshots" / commit;
    if (commit.empty() || !fs::is_directory(snapshot, ec))
        throw Error("model '" + id + "' has no snapshot for revision '" + rev +
                        "' in the Hugging Face cache (" + repo.string() + ")" + fetch,
                    400, "invalid_request_error", "model");
    return snapshot.string();
}

}  // namespace hy
