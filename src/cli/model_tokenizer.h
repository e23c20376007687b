// The tokenizer files of a model this project makes (the random-weight test models and the trained
// default model, issue 11): a byte-level BPE trained by tokenizer/bpe_trainer on given text, the
// Nemotron 3 special tokens at their real ids (spec/model.md §6.1) and the embedded Nemotron 3 chat
// template. Also the reverse, for `convert`: the same fields read back from a HF model directory.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/test_model.h"

namespace hy::cli {

// <unk> <s> </s>, placeholders 3..9, then <|im_start|>=10 <|im_end|>=11 <think>=12 </think>=13 and the
// tool markers: the chat, reasoning and tool markers are single tokens.
std::vector<std::string> nemotron3_special_tokens();

// Trains the BPE on `text` and fills every tokenizer-side file of a HF directory and the GGUF
// tokenizer keys. `max_positions` goes into tokenizer_config.json's model_max_length.
TestModelTokenizer make_model_tokenizer(std::string_view text, int vocab_size, const std::string& regex,
                                        int64_t max_positions, const std::vector<int64_t>& eos_ids);

// tokenizer.json + tokenizer_config.json (+ generation_config.json when present) of a HF directory
// written by make_model_tokenizer, as the GGUF writer needs them. Throws hy::Error naming the file.
TestModelTokenizer read_model_tokenizer(const std::string& dir);

}  // namespace hy::cli
