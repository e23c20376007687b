// Jinja2 lexer with Hugging Face's settings (trim_blocks, lstrip_blocks, newline normalisation,
// one trailing newline dropped): whitespace handling happens here, so the parser sees the exact
// text Jinja2 would output between tags.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hy::jinja {

enum class Tok { Data, VarBegin, VarEnd, BlockBegin, BlockEnd, Name, String, Int, Float, Op, Eof };

struct Token {
    Tok type;
    std::string text;  // Data text, name, decoded string literal, number or operator spelling
    int line = 1;
    int col = 1;
};

// Throws hy::Error "template:LINE:COL: ..." on lexical errors.
std::vector<Token> tokenize(std::string_view source);

}  // namespace hy::jinja
