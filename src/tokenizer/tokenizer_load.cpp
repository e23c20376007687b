// Tokenizer construction from Hugging Face files (tokenizer.json + tokenizer_config.json).
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "tokenizer/bpe_model.h"
#include "tokenizer/json_util.h"
#include "tokenizer/tokenizer.h"

namespace hy::tok {

namespace {

nlohmann::json read_json_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw file_error(path, "cannot open");
    std::stringstream ss;
    ss << f.rdbuf();
    try {
        return nlohmann::json::parse(ss.str());
    } catch (const nlohmann::json::exception& e) {
        throw file_error(path, std::string("invalid JSON: ") + e.what());
    }
}

// tokenizer_config.json writes special tokens as a string or as an AddedToken object {"content": ...}.
std::string config_token(const nlohmann::json& config, const char* key) {
    if (!config.is_object() || !config.contains(key)) return {};
    const auto& v = config[key];
    if (v.is_string()) return v.get<std::string>();
    if (v.is_object() && v.contains("content") && v["content"].is_string())
        return v["content"].get<std::string>();
    return {};
}

}  // namespace

std::shared_ptr<Tokenizer> Tokenizer::from_json(const nlohmann::json& j, const nlohmann::json& config,
                                                const std::string& where) {
    if (!j.is_object()) throw Error(where + ": expected a JSON object");
    std::shared_ptr<Tokenizer> t(new Tokenizer);
    const auto& model = json_field(j, "model", where);
    std::string type = json_string(model, "type", where + ".model", "BPE");
    if (type != "BPE") throw Error(where + ".model.type: unsupported model \"" + type + "\" (only BPE)");
    t->model_ = BpeModel::from_json(model, where + ".model");
    t->vocab_size_ = t->model_->vocab_size();
    if (j.contains("normalizer")) t->normalizer_ = make_normalizer(j["normalizer"], where + ".normalizer");
    if (j.contains("pre_tokenizer"))
        t->pre_tokenizer_ = make_pre_tokenizer(j["pre_tokenizer"], where + ".pre_tokenizer");
    if (j.contains("post_processor"))
        t->post_ = make_post_processor(j["post_processor"], where + ".post_processor");
    if (j.contains("decoder")) t->decoder_ = make_decoder(j["decoder"], where + ".decoder");

    std::vector<AddedToken> added;
    if (j.contains("added_tokens") && !j["added_tokens"].is_null()) {
        const auto& list = j["added_tokens"];
        if (!list.is_array()) throw Error(where + ".added_tokens: expected an array");
        for (size_t i = 0; i < list.size(); ++i) {
            const std::string w = where + ".added_tokens[" + std::to_string(i) + "]";
            AddedToken a;
            a.content = json_string(list[i], "content", w, "");
            long long id = json_int(list[i], "id", w, -1);
            if (id < 0 || id > (1 << 26)) throw Error(w + ".id: missing or out of range");
            a.id = static_cast<int32_t>(id);
            a.special = json_bool(list[i], "special", w, false);
            a.normalized = json_bool(list[i], "normalized", w, !a.special);
            a.lstrip = json_bool(list[i], "lstrip", w, false);
            a.rstrip = json_bool(list[i], "rstrip", w, false);
            a.single_word = json_bool(list[i], "single_word", w, false);
            added.push_back(std::move(a));
        }
    }
    t->set_added_tokens(std::move(added));

    if (config.is_object()) t->config_ = config;
    auto resolve = [&](const char* key) {
        std::string s = config_token(config, key);
        return s.empty() ? -1 : t->token_to_id(s);
    };
    t->bos_id_ = resolve("bos_token");
    t->eos_id_ = resolve("eos_token");
    t->add_bos_ = json_bool(config, "add_bos_token", where, false);
    t->add_eos_ = json_bool(config, "add_eos_token", where, false);
    return t;
}

std::shared_ptr<Tokenizer> Tokenizer::from_file(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path p(path);
    fs::path file = fs::is_directory(p, ec) ? p / "tokenizer.json" : p;
    if (!fs::exists(file, ec)) throw file_error(path, "no tokenizer.json found");
    nlohmann::json config = nlohmann::json::object();
    fs::path cfg = file.parent_path() / "tokenizer_config.json";
    if (fs::exists(cfg, ec)) config = read_json_file(cfg.string());
    return from_json(read_json_file(file.string()), config, file.string());
}

}  // namespace hy::tok
