// Token string <-> id tables shared by the models.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hy::tok {

struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

using TokenMap = std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>;

// A tokenization model (BPE from tokenizer.json or a GGUF vocabulary): turns one pre-tokenized piece into
// ids.
class Model {
  public:
    virtual ~Model() = default;
    virtual void tokenize(std::string_view piece, std::vector<int32_t>& out) const = 0;
    virtual int32_t token_to_id(std::string_view token) const = 0;  // -1 if absent
    virtual const std::string* id_to_token(int32_t id) const = 0;   // nullptr if absent
    virtual size_t vocab_size() const = 0;                          // highest id + 1
};

}  // namespace hy::tok
