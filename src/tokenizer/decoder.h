// HF decoders (tokenizer.json "decoder"): ByteLevel, Metaspace, ByteFallback, Fuse, Strip, Replace,
// Sequence. Each rewrites the list of token strings (HF decode_chain); the result is concatenated.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hy::tok {

class Decoder {
  public:
    virtual ~Decoder() = default;
    // raw = true keeps bytes as they are (no U+FFFD substitution for invalid UTF-8); the streaming
    // detokenizer uses it to hold back incomplete characters instead of emitting replacement marks.
    virtual void decode_chain(std::vector<std::string>& tokens, bool raw) const = 0;
};

std::unique_ptr<Decoder> make_decoder(const nlohmann::json& j, const std::string& where);

// Building blocks also used for GGUF vocabularies.
std::unique_ptr<Decoder> make_byte_level_decoder();
std::unique_ptr<Decoder> make_spm_decoder();  // Replace ▁→space, ByteFallback, Fuse, Strip 1 leading space

}  // namespace hy::tok
