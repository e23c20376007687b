// Incremental detokenizer for streaming responses. Text is produced by decoding a small window of recent
// ids and emitting the difference to the window without the newest ids (so decoders that treat the first
// token specially, like Metaspace's leading space or Strip, behave as in a full decode); bytes of an
// unfinished UTF-8 character (byte-level pieces, <0xNN> byte fallback tokens) are held back until the
// character is complete. The concatenation of push() results and flush() equals decode(all ids) for
// valid UTF-8 output.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace hy::tok {

class StreamDecoder {
  public:
    explicit StreamDecoder(std::shared_ptr<const Tokenizer> tokenizer, bool skip_special_tokens = true);
    // Adds one generated id; returns the text that became final (possibly empty).
    std::string push(int32_t id);
    // End of stream: returns whatever is still held (an incomplete character becomes U+FFFD).
    std::string flush();

  private:
    std::shared_ptr<const Tokenizer> tok_;
    bool skip_special_;
    std::vector<int32_t> ids_;
    size_t prefix_ = 0, read_ = 0;  // window ids_[prefix_, read_) is context already emitted
    size_t sent_ = 0;               // bytes of the pending text (after the context) already emitted
};

}  // namespace hy::tok
