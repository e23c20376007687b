// A text <-> token id converter built from a Hugging Face tokenizer.json (+ tokenizer_config.json) or from
// a GGUF-embedded vocabulary (spec/model.md §6.1). encode() follows HF tokenizers' pipeline: added
// tokens split out first (before normalization for normalized=false tokens, after it for the others),
// then normalizer -> pre-tokenizer -> model per piece, then the post-processor when special tokens are
// requested. Thread-safe: one instance serves all requests.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenizer/added_vocab.h"
#include "tokenizer/decoder.h"
#include "tokenizer/normalizer.h"
#include "tokenizer/post_processor.h"
#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/vocab.h"

namespace hy::tok {

// What a GGUF file stores about its tokenizer (tokenizer.ggml.*), as plain data so this module does not
// depend on the GGUF parser; the caller fills it from the file.
struct GgufVocab {
    std::string model;  // tokenizer.ggml.model: "gpt2" (byte-level BPE) or "llama" (SentencePiece)
    std::string pre;    // tokenizer.ggml.pre, e.g. "gpt-2", "llama-bpe", "qwen2"; may be empty
    std::vector<std::string> tokens;  // tokenizer.ggml.tokens
    std::vector<std::string> merges;  // tokenizer.ggml.merges ("left right"), gpt2 only
    std::vector<int32_t>
        token_types;            // tokenizer.ggml.token_type (1 normal, 2 unknown, 3 control, 4 user, 6 byte)
    std::vector<float> scores;  // tokenizer.ggml.scores, llama only
    int32_t bos_id = -1, eos_id = -1, unk_id = -1, pad_id = -1;
    std::optional<bool> add_bos, add_eos;  // tokenizer.ggml.add_bos_token / add_eos_token
    bool add_space_prefix = true;          // tokenizer.ggml.add_space_prefix (llama)
    std::string chat_template;             // tokenizer.chat_template
};

// The Split regex llama.cpp associates with a tokenizer.ggml.pre name (GGUF does not store the regex).
// Unknown names get the GPT-2 pattern.
const std::string& gguf_pre_regex(const std::string& pre);

class Tokenizer {
  public:
    // `tokenizer_json` is the parsed tokenizer.json, `config` the parsed tokenizer_config.json (or an empty
    // object); `where` names the file in errors.
    static std::shared_ptr<Tokenizer> from_json(const nlohmann::json& tokenizer_json,
                                                const nlohmann::json& config, const std::string& where);
    // PATH = a tokenizer.json file or a directory holding one; tokenizer_config.json next to it is read
    // when present.
    static std::shared_ptr<Tokenizer> from_file(const std::string& path);
    static std::shared_ptr<Tokenizer> from_gguf(const GgufVocab& vocab, const std::string& where);

    std::vector<int32_t> encode(std::string_view text, bool add_special_tokens) const;
    // HF decode: tokens joined through the decoder; unknown ids are skipped; special added tokens are
    // dropped when skip_special_tokens. Invalid UTF-8 becomes U+FFFD.
    std::string decode(const std::vector<int32_t>& ids, bool skip_special_tokens) const;
    // Same, but bytes are left as the decoders produce them (may end in an incomplete character).
    std::string decode_bytes(const std::vector<int32_t>& ids, bool skip_special_tokens) const;

    int32_t token_to_id(std::string_view token) const;  // added tokens first; -1 if absent
    std::optional<std::string> id_to_token(int32_t id) const;
    bool is_special(int32_t id) const;  // an added token marked special (or a GGUF control token)
    size_t vocab_size() const { return vocab_size_; }
    const std::vector<AddedToken>& added_tokens() const { return added_; }

    // From tokenizer_config.json (bos_token/eos_token/add_bos_token/add_eos_token) or GGUF; -1 if unknown.
    int32_t bos_id() const { return bos_id_; }
    int32_t eos_id() const { return eos_id_; }
    std::string bos_token() const;
    std::string eos_token() const;
    bool add_bos_token() const { return add_bos_; }
    bool add_eos_token() const { return add_eos_; }
    // tokenizer_config.json as read (an empty object for GGUF, except "chat_template" when the file has one).
    const nlohmann::json& config() const { return config_; }
    std::string chat_template() const;

  private:
    Tokenizer() = default;
    void set_added_tokens(std::vector<AddedToken> tokens);
    void encode_piece(std::string&& text, bool at_origin, std::vector<int32_t>& ids) const;
    std::string decode_impl(const std::vector<int32_t>& ids, bool skip_special, bool raw) const;

    std::unique_ptr<Normalizer> normalizer_;
    std::unique_ptr<PreTokenizer> pre_tokenizer_;
    std::unique_ptr<Model> model_;
    std::unique_ptr<PostProcessor> post_;
    std::unique_ptr<Decoder> decoder_;
    std::vector<AddedToken> added_;
    std::unordered_map<int32_t, size_t> added_by_id_;
    TokenMap added_by_text_;
    TokenMatcher raw_matcher_, normalized_matcher_;
    size_t vocab_size_ = 0;
    int32_t bos_id_ = -1, eos_id_ = -1;
    bool add_bos_ = false, add_eos_ = false;
    nlohmann::json config_ = nlohmann::json::object();
};

}  // namespace hy::tok
