// HF post-processors (tokenizer.json "post_processor"): TemplateProcessing (single-sequence template),
// ByteLevel (offsets only: no ids change), BertProcessing, RobertaProcessing and Sequence. Applied only
// when encode() is asked to add special tokens.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hy::tok {

class PostProcessor {
  public:
    virtual ~PostProcessor() = default;
    virtual void process(std::vector<int32_t>& ids) const = 0;
};

std::unique_ptr<PostProcessor> make_post_processor(const nlohmann::json& j, const std::string& where);
// Prepends `bos` (if >= 0) and appends `eos` (if >= 0): GGUF add_bos_token / add_eos_token.
std::unique_ptr<PostProcessor> make_bos_eos_processor(int32_t bos, int32_t eos);

}  // namespace hy::tok
