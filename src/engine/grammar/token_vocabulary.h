// The tokenizer's vocabulary as the grammar engine sees it: each token id's decoded bytes, which ids
// are special (never allowed by a grammar) and which of those are EOS (allowed exactly when the
// grammar can end). Built once per tokenizer and shared by every matcher (issue 9, "Engine").
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hy::grammar {

class TokenVocabulary {
  public:
    // token_bytes[id] = the bytes the token decodes to. Special ids are excluded from matching;
    // eos_ids must be special ids too (they are added to the special set if not).
    TokenVocabulary(std::vector<std::string> token_bytes, const std::vector<uint32_t>& special_ids,
                    const std::vector<uint32_t>& eos_ids);

    // From a Hugging Face tokenizer.json with a byte-level (GPT-2 style) vocabulary, as Qwen3 and
    // Nemotron use: model.vocab decoded through the byte-to-unicode table, added_tokens with
    // "special": true marked special. eos_tokens names the EOS tokens (e.g. {"<|im_end|>"}).
    // Throws hy::Error naming the file on anything it cannot read.
    static std::shared_ptr<TokenVocabulary> from_hf_tokenizer_json(
        const std::string& path, const std::vector<std::string>& eos_tokens);

    size_t size() const { return bytes_.size(); }
    size_t mask_words() const { return (bytes_.size() + 31) / 32; }
    const std::string& token_bytes(uint32_t id) const { return bytes_[id]; }
    bool is_special(uint32_t id) const { return special_[id] != 0; }
    bool is_eos(uint32_t id) const { return eos_flag_[id] != 0; }
    const std::vector<uint32_t>& eos_ids() const { return eos_; }
    uint64_t id() const { return id_; }  // unique per instance, keys caches

    // The byte trie of all non-special, non-empty tokens, in depth-first preorder: node k's parent
    // is the nearest node before it with depth - 1, and its subtree is [k, subtree_end).
    struct TrieNode {
        uint8_t byte;
        uint16_t depth;  // 1 = first byte of a token
        uint32_t subtree_end;
        uint32_t token_begin, token_end;  // tokens ending here: trie_tokens()[token_begin..token_end)
        uint32_t parent;                  // UINT32_MAX at depth 1
    };
    const std::vector<TrieNode>& trie() const { return trie_; }
    const std::vector<uint32_t>& trie_tokens() const { return trie_tokens_; }
    size_t max_token_bytes() const { return max_len_; }

  private:
    void build_trie();

    std::vector<std::string> bytes_;
    std::vector<uint8_t> special_, eos_flag_;
    std::vector<uint32_t> eos_;
    std::vector<TrieNode> trie_;
    std::vector<uint32_t> trie_tokens_;
    size_t max_len_ = 0;
    uint64_t id_;
};

}  // namespace hy::grammar
