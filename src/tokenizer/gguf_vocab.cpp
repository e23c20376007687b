// Tokenizer construction from a GGUF-embedded vocabulary (tokenizer.ggml.*), mirroring what llama.cpp does
// with it: "gpt2" = byte-level BPE with the pre-tokenizer regex named by tokenizer.ggml.pre; "llama" =
// SentencePiece with ▁ for spaces and byte fallback. Control (3) and user-defined (4) tokens are added
// tokens matched before BPE.
#include <unordered_map>

#include "core/error.h"
#include "tokenizer/bpe_model.h"
#include "tokenizer/spm_model.h"
#include "tokenizer/tokenizer.h"

namespace hy::tok {

namespace {

const std::string kGpt2 = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
const std::string kLlama3 =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const std::string kQwen2 =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const std::string kTekken =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

enum TokenType { kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5, kByte = 6 };

}  // namespace

const std::string& gguf_pre_regex(const std::string& pre) {
    static const std::unordered_map<std::string, const std::string*> table = {
        {"gpt-2", &kGpt2},      {"gpt2", &kGpt2},
        {"default", &kGpt2},    {"", &kGpt2},
        {"llama3", &kLlama3},   {"llama-bpe", &kLlama3},
        {"llama-v3", &kLlama3}, {"smaug-bpe", &kLlama3},
        {"qwen2", &kQwen2},     {"deepseek-r1-qwen", &kQwen2},
        {"tekken", &kTekken},   {"nemotron", &kTekken},
    };
    auto it = table.find(pre);
    return it == table.end() ? kGpt2 : *it->second;
}

std::shared_ptr<Tokenizer> Tokenizer::from_gguf(const GgufVocab& v, const std::string& where) {
    const size_t n = v.tokens.size();
    if (n == 0) throw Error(where + ": tokenizer.ggml.tokens is empty");
    if (!v.token_types.empty() && v.token_types.size() != n)
        throw Error(where + ": tokenizer.ggml.token_type has " + std::to_string(v.token_types.size()) +
                    " entries for " + std::to_string(n) + " tokens");
    auto check_id = [&](int32_t id, const char* key) {
        if (id >= static_cast<int32_t>(n))
            throw Error(where + ": " + key + " " + std::to_string(id) + " out of range");
    };
    check_id(v.bos_id, "tokenizer.ggml.bos_token_id");
    check_id(v.eos_id, "tokenizer.ggml.eos_token_id");
    check_id(v.unk_id, "tokenizer.ggml.unknown_token_id");

    std::shared_ptr<Tokenizer> t(new Tokenizer);
    std::vector<AddedToken> added;
    for (size_t i = 0; i < v.token_types.size(); ++i) {
        int type = v.token_types[i];
        if (type != kControl && type != kUserDefined) continue;
        AddedToken a;
        a.content = v.tokens[i];
        a.id = static_cast<int32_t>(i);
        a.special = type == kControl;
        added.push_back(std::move(a));
    }
    bool add_bos_default = false;
    if (v.model == "gpt2") {
        TokenMap vocab;
        vocab.reserve(n);
        for (size_t i = 0; i < n; ++i) vocab.emplace(v.tokens[i], static_cast<int32_t>(i));
        std::vector<std::pair<std::string, std::string>> merges;
        merges.reserve(v.merges.size());
        for (size_t i = 0; i < v.merges.size(); ++i) {
            const std::string& m = v.merges[i];
            size_t sp =
                m.size() > 1 ? m.find(' ', 1) : std::string::npos;  // like llama.cpp: a part may be " "
            if (sp == std::string::npos)
                throw Error(where + ": tokenizer.ggml.merges[" + std::to_string(i) +
                            "] has no separating space");
            merges.emplace_back(m.substr(0, sp), m.substr(sp + 1));
        }
        t->model_ =
            std::make_unique<BpeModel>(std::move(vocab), merges, BpeOptions{}, where + ": tokenizer.ggml");
        nlohmann::json pre = {
            {"type", "Sequence"},
            {"pretokenizers",
             {{{"type", "Split"}, {"pattern", {{"Regex", gguf_pre_regex(v.pre)}}}, {"behavior", "Isolated"}},
              {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}}}}};
        t->pre_tokenizer_ = make_pre_tokenizer(pre, where + ": tokenizer.ggml.pre");
        t->decoder_ = make_byte_level_decoder();
    } else if (v.model == "llama") {
        t->model_ = std::make_unique<SpmModel>(v.tokens, v.scores, v.unk_id);
        nlohmann::json norm = {{"type", "Sequence"}, {"normalizers", nlohmann::json::array()}};
        if (v.add_space_prefix)
            norm["normalizers"].push_back({{"type", "Prepend"}, {"prepend", "\xE2\x96\x81"}});
        norm["normalizers"].push_back(
            {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "\xE2\x96\x81"}});
        t->normalizer_ = make_normalizer(norm, where);
        t->decoder_ = make_spm_decoder();
        add_bos_default = true;
    } else {
        throw Error(where + ": unsupported tokenizer.ggml.model \"" + v.model +
                    "\" (expected gpt2 or llama)");
    }
    t->vocab_size_ = n;
    t->set_added_tokens(std::move(added));
    t->bos_id_ = v.bos_id;
    t->eos_id_ = v.eos_id;
    t->add_bos_ = v.add_bos.value_or(add_bos_default) && v.bos_id >= 0;
    t->add_eos_ = v.add_eos.value_or(false) && v.eos_id >= 0;
    t->post_ = make_bos_eos_processor(t->add_bos_ ? v.bos_id : -1, t->add_eos_ ? v.eos_id : -1);
    if (!v.chat_template.empty()) t->config_["chat_template"] = v.chat_template;
    if (v.bos_id >= 0) t->config_["bos_token"] = v.tokens[v.bos_id];
    if (v.eos_id >= 0) t->config_["eos_token"] = v.tokens[v.eos_id];
    return t;
}

}  // namespace hy::tok
