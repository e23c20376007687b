// GPT-2 byte-level alphabet: every byte maps to one printable code point so that BPE can work on
// strings of visible characters (space -> "Ġ", newline -> "Ċ"). HF ByteLevel pre-tokenizer/decoder
// and GGUF "gpt2" vocabularies use this exact table.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace hy::tok {

// UTF-8 encoding of the code point that stands for byte b.
const std::string& byte_to_unicode(uint8_t b);

// Maps every byte of `bytes` to its alphabet character (UTF-8), appending to out.
void bytes_to_alphabet(std::string_view bytes, std::string& out);
std::string bytes_to_alphabet(std::string_view bytes);

// Inverse: returns false if `text` holds a code point outside the alphabet (then out is partial).
bool alphabet_to_bytes(std::string_view text, std::string& out);

}  // namespace hy::tok
