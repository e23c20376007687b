// SentencePiece-style BPE for GGUF "llama" vocabularies (llama.cpp's llm_tokenizer_spm): adjacent symbols
// are merged by the score of the merged token (highest first, leftmost on ties); characters that are not
// in the vocabulary fall back to <0xNN> byte tokens, else to the unknown token.
#pragma once

#include "tokenizer/vocab.h"

namespace hy::tok {

class SpmModel : public Model {
  public:
    SpmModel(std::vector<std::string> tokens, std::vector<float> scores, int32_t unk_id);
    void tokenize(std::string_view piece, std::vector<int32_t>& out) const override;
    int32_t token_to_id(std::string_view token) const override;
    const std::string* id_to_token(int32_t id) const override;
    size_t vocab_size() const override { return tokens_.size(); }

  private:
    std::vector<std::string> tokens_;
    std::vector<float> scores_;
    TokenMap ids_;
    int32_t unk_id_;
    int32_t byte_ids_[256];
};

}  // namespace hy::tok
