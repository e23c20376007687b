// Added tokens (tokenizer.json "added_tokens"): matched in the text before normalization (normalized=false)
// or after it (normalized=true), leftmost-longest like HF's Aho-Corasick tries, with lstrip / rstrip /
// single_word handling as in tokenizers' AddedVocabulary::find_matches.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hy::tok {

struct AddedToken {
    std::string content;
    int32_t id = -1;
    bool special = false;
    bool normalized = false;
    bool lstrip = false;
    bool rstrip = false;
    bool single_word = false;
};

// One pass of splitting: a set of token strings matched leftmost-longest.
class TokenMatcher {
  public:
    // `patterns[i]` is the (possibly normalized) text of `tokens[i]`; empty patterns are ignored.
    void build(const std::vector<std::string>& patterns, const std::vector<const AddedToken*>& tokens);
    bool empty() const { return tokens_.empty(); }

    struct Split {
        size_t begin, end;
        const AddedToken* token;  // nullptr for ordinary text
    };
    // Splits `text` into ordinary text and added tokens (HF AddedVocabulary::find_matches).
    void split(std::string_view text, std::vector<Split>& out) const;

  private:
    struct Node {
        std::vector<std::pair<unsigned char, int32_t>> next;  // sorted by byte
        int32_t token = -1;                                   // index into tokens_ if a pattern ends here
    };
    int32_t child(int32_t node, unsigned char c) const;
    std::vector<Node> nodes_;
    std::vector<const AddedToken*> tokens_;
    bool first_byte_[256] = {};
};

}  // namespace hy::tok
