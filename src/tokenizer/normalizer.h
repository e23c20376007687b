// HF normalizers (tokenizer.json "normalizer"): NFC, NFD, NFKC, NFKD, Lowercase, Replace, Prepend, Strip,
// Sequence. They rewrite one piece of input text (the parts between added tokens) in place.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace hy::tok {

class Normalizer {
  public:
    virtual ~Normalizer() = default;
    virtual void normalize(std::string& text) const = 0;
};

// Returns nullptr for a JSON null. Throws hy::Error naming `where` for unknown types or bad fields.
std::unique_ptr<Normalizer> make_normalizer(const nlohmann::json& j, const std::string& where);

}  // namespace hy::tok
