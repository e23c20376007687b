// HF BPE model: ranked merges applied with a priority queue (lowest rank, then leftmost first, exactly
// like tokenizers' Word::merge_all), byte_fallback to <0xNN> tokens, unk with fuse_unk, ignore_merges,
// continuing_subword_prefix / end_of_word_suffix, and a cache of whole pieces. Dropout is ignored
// (inference is deterministic).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <shared_mutex>

#include "tokenizer/vocab.h"

namespace hy::tok {

struct BpeOptions {
    std::optional<std::string> unk_token;
    std::optional<std::string> continuing_subword_prefix;
    std::optional<std::string> end_of_word_suffix;
    bool fuse_unk = false;
    bool byte_fallback = false;
    bool ignore_merges = false;
};

class BpeModel : public Model {
  public:
    // merges: pairs of token strings in rank order. Throws hy::Error (naming `where`) for merges whose
    // parts or result are not in the vocabulary.
    BpeModel(TokenMap vocab, const std::vector<std::pair<std::string, std::string>>& merges,
             BpeOptions options, const std::string& where);
    // From the tokenizer.json "model" object.
    static std::unique_ptr<BpeModel> from_json(const nlohmann::json& j, const std::string& where);

    void tokenize(std::string_view piece, std::vector<int32_t>& out) const override;
    int32_t token_to_id(std::string_view token) const override;
    const std::string* id_to_token(int32_t id) const override;
    size_t vocab_size() const override { return vocab_r_.size(); }

  private:
    void merge_piece(std::string_view piece, std::vector<int32_t>& out) const;

    TokenMap vocab_;
    std::vector<std::string> vocab_r_;
    std::vector<bool> has_id_;
    std::unordered_map<uint64_t, std::pair<int32_t, int32_t>> merges_;  // (a, b) -> (rank, merged id)
    BpeOptions opt_;
    int32_t unk_id_ = -1;
    int32_t byte_ids_[256];

    static constexpr size_t kCacheCapacity = 1 << 17;
    static constexpr size_t kCacheMaxPiece = 256;
    mutable std::shared_mutex cache_mu_;
    mutable std::unordered_map<std::string, std::vector<int32_t>, StringHash, std::equal_to<>> cache_;
};

}  // namespace hy::tok
