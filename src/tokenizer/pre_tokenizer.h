// HF pre-tokenizers (tokenizer.json "pre_tokenizer"): Split (String/Regex, every behavior, invert),
// ByteLevel, Metaspace, Digits, Punctuation, Whitespace, WhitespaceSplit, BertPreTokenizer,
// CharDelimiterSplit and Sequence. Each turns a list of pieces into a finer list; the model then
// tokenizes every piece on its own.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hy::tok {

struct Piece {
    std::string text;
    bool at_origin = false;  // begins at offset 0 of the whole input (Metaspace prepend_scheme "first")
};

class PreTokenizer {
  public:
    virtual ~PreTokenizer() = default;
    // Replaces `pieces` by their splits (pieces that end up empty are dropped, like HF).
    virtual void apply(std::vector<Piece>& pieces) const = 0;
};

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const nlohmann::json& j, const std::string& where);

// The GPT-2 pattern ByteLevel(use_regex=true) splits with; part of the ByteLevel component itself.
const std::string& gpt2_split_regex();

}  // namespace hy::tok
