// Tokenizer files of the models this project makes (cli/model_tokenizer.h).
#include "cli/model_tokenizer.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/assets.h"
#include "core/error.h"
#include "tokenizer/bpe_trainer.h"

namespace hy::cli {

namespace {

using nlohmann::json;

json read_json(const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    if (!f) throw Error(p.string() + ": cannot open");
    std::stringstream ss;
    ss << f.rdbuf();
    try {
        return json::parse(ss.str());
    } catch (const json::exception& e) {
        throw Error(p.string() + ": " + e.what());
    }
}

}  // namespace

std::vector<std::string> nemotron3_special_tokens() {
    // Ids 0..2 and 10..13 match the Nemotron 3 tokenizer (spec/model.md §6.1); 3..9 are placeholders
    // so that they do.
    std::vector<std::string> s = {"<unk>", "<s>", "</s>"};
    for (int i = 3; i < 10; ++i) s.push_back("<SPECIAL_" + std::to_string(i) + ">");
    for (const char* t : {"<|im_start|>", "<|im_end|>", "<think>", "</think>", "<tool_call>", "</tool_call>",
                          "<tool_response>", "</tool_response>"})
        s.push_back(t);
    return s;
}

TestModelTokenizer make_model_tokenizer(std::string_view text, int vocab_size, const std::string& regex,
                                        int64_t max_positions, const std::vector<int64_t>& eos_ids) {
    tok::TrainedBpe bpe = tok::train_byte_level_bpe(text, vocab_size, nemotron3_special_tokens(), regex);
    TestModelTokenizer t;
    t.tokens = bpe.tokens;
    for (const auto& [a, b] : bpe.merges) t.merges.push_back(a + " " + b);
    t.token_types.assign(t.tokens.size(), 1);
    for (size_t i = 0; i < bpe.special_tokens.size(); ++i) t.token_types[i] = 3;
    t.bos_id = 1;
    t.eos_id = 2;
    t.eot_id = 11;
    t.chat_template = std::string(embedded_asset("templates/nemotron3.jinja"));
    // Nemotron 3 adds no BOS (its template has no <s>): no post-processor token.
    t.tokenizer_json = tok::make_tokenizer_json(bpe, regex).dump(2) + "\n";

    json added = json::object();
    for (size_t i = 0; i < bpe.special_tokens.size(); ++i)
        added[std::to_string(i)] = {{"content", bpe.special_tokens[i]},
                                    {"lstrip", false},
                                    {"normalized", false},
                                    {"rstrip", false},
                                    {"single_word", false},
                                    {"special", true}};
    json cfg = {{"add_bos_token", false},
                {"add_eos_token", false},
                {"added_tokens_decoder", added},
                {"bos_token", "<s>"},
                {"eos_token", "<|im_end|>"},
                {"pad_token", "<unk>"},
                {"unk_token", "<unk>"},
                {"clean_up_tokenization_spaces", false},
                {"model_max_length", max_positions},
                {"tokenizer_class", "PreTrainedTokenizerFast"},
                {"chat_template", t.chat_template}};
    t.tokenizer_config_json = cfg.dump(2) + "\n";
    json gen = {
        {"_from_model_config", true}, {"bos_token_id", 1}, {"eos_token_id", eos_ids}, {"pad_token_id", 0}};
    t.generation_config_json = gen.dump(2) + "\n";
    return t;
}

TestModelTokenizer read_model_tokenizer(const std::string& dir) {
    namespace fs = std::filesystem;
    const fs::path tj_path = fs::path(dir) / "tokenizer.json";
    const json tj = read_json(tj_path);
    TestModelTokenizer t;
    try {
        const json& vocab = tj.at("model").at("vocab");
        t.tokens.assign(vocab.size(), "");
        for (const auto& [text, id] : vocab.items()) {
            const auto i = id.get<size_t>();
            if (i >= t.tokens.size()) throw Error(tj_path.string() + ": vocab ids are not 0..n-1");
            t.tokens[i] = text;
        }
        for (const json& m : tj.at("model").at("merges"))
            t.merges.push_back(m.is_string() ? m.get<std::string>()
                                             : m.at(0).get<std::string>() + " " + m.at(1).get<std::string>());
        t.token_types.assign(t.tokens.size(), 1);
        for (const json& a : tj.value("added_tokens", json::array()))
            if (a.value("special", false)) t.token_types.at(a.at("id").get<size_t>()) = 3;
    } catch (const json::exception& e) {
        throw Error(tj_path.string() + ": " + e.what());
    }
    t.tokenizer_json = tj.dump(2) + "\n";
    const fs::path cfg_path = fs::path(dir) / "tokenizer_config.json";
    if (fs::exists(cfg_path)) {
        const json cfg = read_json(cfg_path);
        t.chat_template = cfg.value("chat_template", "");
        t.tokenizer_config_json = cfg.dump(2) + "\n";
    }
    return t;
}

}  // namespace hy::cli
