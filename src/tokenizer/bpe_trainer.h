// A small byte-level BPE trainer (issue 2: the test model's tokenizer is trained by the project on text
// it ships). Deterministic: the most frequent pair wins, ties go to the lexicographically smallest
// (left, right) pair of token strings, so the same text and settings always give the same vocabulary.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hy::tok {

struct TrainedBpe {
    // id -> token. Layout: special tokens first (ids 0 .. special_tokens.size()-1, in the order given),
    // then the 256 byte tokens in byte order (GPT-2 byte-level alphabet: "Ġ" is the space byte), then
    // one token per merge that produced a new string, in merge order.
    std::vector<std::string> tokens;
    std::vector<std::pair<std::string, std::string>> merges;  // in priority order (rank 0 first)
    std::vector<std::string> special_tokens;                  // == tokens[0 .. n-1]
};

// Llama-3-style split pattern (contractions, letters, 1-3 digits, punctuation, newlines, spaces); a good
// default for English + code. Callers may pass any pattern PCRE2 accepts.
const std::string& default_pretokenizer_regex();

// Splits `text` with `pretokenizer_regex` (Split behavior Isolated), then merges byte-level symbols until
// the vocabulary holds `vocab_size` tokens (special + 256 bytes + merges) or no adjacent pair is left.
// Throws hy::Error if vocab_size cannot hold the specials and the byte alphabet.
TrainedBpe train_byte_level_bpe(std::string_view text, int vocab_size,
                                const std::vector<std::string>& special_tokens,
                                const std::string& pretokenizer_regex);

struct TokenizerJsonOptions {
    // When set, post_processor is TemplateProcessing that prepends this token ("$A" -> "<bos> $A");
    // otherwise a ByteLevel post-processor that adds nothing.
    std::string bos_token;
};

// A complete Hugging Face tokenizer.json: BPE model (vocab, merges, byte_fallback false), no normalizer,
// pre_tokenizer Sequence[Split(regex, Isolated), ByteLevel(add_prefix_space=false, use_regex=false)],
// decoder ByteLevel, added_tokens = the special tokens with special=true.
nlohmann::json make_tokenizer_json(const TrainedBpe& bpe, const std::string& pretokenizer_regex,
                                   const TokenizerJsonOptions& options = {});

// The training text the binary embeds (assets/bpe/training_text.txt): English prose about the project,
// C++/Python/JSON snippets, numbers and chat-style sentences, written for this project.
std::string_view default_bpe_training_text();

}  // namespace hy::tok
