#include "chat/jinja/lexer.h"

#include <cstring>

#include "chat/jinja/value.h"
#include "core/error.h"

namespace hy::jinja {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
bool is_name_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// \r\n and \r become \n, and one trailing newline is dropped (keep_trailing_newline=False).
std::string normalize(std::string_view src) {
    std::string out;
    out.reserve(src.size());
    for (size_t k = 0; k < src.size(); ++k) {
        if (src[k] == '\r') {
            out.push_back('\n');
            if (k + 1 < src.size() && src[k + 1] == '\n') ++k;
        } else {
            out.push_back(src[k]);
        }
    }
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

class Lexer {
  public:
    explicit Lexer(std::string_view src) : src_(normalize(src)) {}

    std::vector<Token> run() {
        bool line_starting = true;
        while (pos_ < src_.size()) {
            size_t start = find_tag(pos_);
            if (start == std::string::npos) {
                emit_data(src_.substr(pos_), pos_);
                break;
            }
            char kind = src_[start + 1];
            char sign = start + 2 < src_.size() && (src_[start + 2] == '-' || src_[start + 2] == '+')
                            ? src_[start + 2]
                            : 0;
            std::string text = src_.substr(pos_, start - pos_);
            if (sign == '-') {
                size_t e = text.size();
                while (e > 0 && is_space(text[e - 1])) --e;
                text.resize(e);
            } else if (sign != '+' && kind != '{') {
                // lstrip_blocks: drop spaces/tabs between the line start and a block or comment tag.
                size_t l = text.rfind('\n');
                l = l == std::string::npos ? 0 : l + 1;
                if ((l > 0 || line_starting) && l < text.size()) {
                    bool blank = true;
                    for (size_t k = l; k < text.size(); ++k) blank = blank && is_space(text[k]);
                    if (blank) text.resize(l);
                }
            }
            emit_data(text, pos_);
            pos_ = start + 2 + (sign ? 1 : 0);
            if (kind == '#')
                line_starting = lex_comment(start);
            else if (kind == '%' && lex_raw(start))
                line_starting = true_if_newline_before(pos_);
            else
                line_starting = lex_tag(start, kind == '%');
        }
        push(Tok::Eof, "", src_.size());
        return std::move(toks_);
    }

  private:
    std::string src_;
    size_t pos_ = 0;
    std::vector<Token> toks_;

    [[noreturn]] void fail(size_t at, const std::string& what) const {
        auto [line, col] = line_col(at);
        throw Error("template:" + std::to_string(line) + ":" + std::to_string(col) + ": " + what);
    }
    // Line and column of byte `at`; tokens come in increasing order, so this walks forward from
    // the previous answer (linear in the template size overall).
    std::pair<int, int> line_col(size_t at) const {
        if (at < lc_pos_) lc_pos_ = 0, lc_line_ = 1, lc_col_ = 1;
        for (; lc_pos_ < at && lc_pos_ < src_.size(); ++lc_pos_) {
            if (src_[lc_pos_] == '\n') {
                ++lc_line_;
                lc_col_ = 1;
            } else if ((static_cast<unsigned char>(src_[lc_pos_]) & 0xC0) != 0x80) {
                ++lc_col_;
            }
        }
        return {lc_line_, lc_col_};
    }
    mutable size_t lc_pos_ = 0;
    mutable int lc_line_ = 1, lc_col_ = 1;
    void push(Tok t, std::string text, size_t at) {
        auto [line, col] = line_col(at);
        toks_.push_back(Token{t, std::move(text), line, col});
    }
    void emit_data(const std::string& text, size_t at) {
        if (!text.empty()) push(Tok::Data, text, at);
    }
    bool true_if_newline_before(size_t p) const { return p > 0 && src_[p - 1] == '\n'; }

    size_t find_tag(size_t from) const {
        for (size_t k = from; k + 1 < src_.size(); ++k)
            if (src_[k] == '{' && (src_[k + 1] == '{' || src_[k + 1] == '%' || src_[k + 1] == '#')) return k;
        return std::string::npos;
    }

    // After an end tag: '-' strips all following whitespace, '+' nothing, else trim_blocks.
    bool finish_tag(size_t after, char sign, bool block) {
        pos_ = after;
        if (sign == '-') {
            while (pos_ < src_.size() && is_space(src_[pos_])) ++pos_;
        } else if (sign != '+' && block && pos_ < src_.size() && src_[pos_] == '\n') {
            ++pos_;
        }
        return pos_ > after && src_[pos_ - 1] == '\n';
    }

    bool lex_comment(size_t start) {
        size_t end = src_.find("#}", pos_);
        if (end == std::string::npos) fail(start, "missing end of comment tag");
        char sign = end > pos_ && (src_[end - 1] == '-' || src_[end - 1] == '+') ? src_[end - 1] : 0;
        return finish_tag(end + 2, sign, true);
    }

    // Skips spaces; matches `word` as a whole name at p.
    bool match_word(size_t& p, const char* word) const {
        while (p < src_.size() && is_space(src_[p])) ++p;
        size_t n = std::strlen(word);
        if (src_.compare(p, n, word) != 0) return false;
        if (p + n < src_.size() && (is_name_start(src_[p + n]) || is_digit(src_[p + n]))) return false;
        p += n;
        while (p < src_.size() && is_space(src_[p])) ++p;
        return true;
    }

    // {% raw %}...{% endraw %}: the body is data, verbatim.
    bool lex_raw(size_t start) {
        size_t p = pos_;
        if (!match_word(p, "raw")) return false;
        char open_sign = src_[p] == '-' ? '-' : 0;
        if (open_sign) ++p;
        if (src_.compare(p, 2, "%}") != 0) return false;
        p += 2;
        if (open_sign)
            while (p < src_.size() && is_space(src_[p])) ++p;
        size_t body = p;
        for (size_t k = body; (k = src_.find("{%", k)) != std::string::npos; ++k) {
            size_t q = k + 2;
            char close_sign = q < src_.size() && (src_[q] == '-' || src_[q] == '+') ? src_[q] : 0;
            if (close_sign) ++q;
            if (!match_word(q, "endraw")) continue;
            char end_sign = q < src_.size() && (src_[q] == '-' || src_[q] == '+') ? src_[q] : 0;
            if (end_sign) ++q;
            if (src_.compare(q, 2, "%}") != 0) continue;
            std::string text = src_.substr(body, k - body);
            if (close_sign == '-') {
                while (!text.empty() && is_space(text.back())) text.pop_back();
            } else if (close_sign != '+') {
                size_t l = text.rfind('\n');
                l = l == std::string::npos ? 0 : l + 1;
                bool blank = l < text.size();
                for (size_t j = l; j < text.size(); ++j) blank = blank && is_space(text[j]);
                if (blank && l > 0) text.resize(l);
            }
            emit_data(text, body);
            finish_tag(q + 2, end_sign, true);
            return true;
        }
        fail(start, "missing end of raw directive");
    }

    // Tokens of a {{ }} or {% %} tag up to its end; returns whether the end consumed a newline.
    bool lex_tag(size_t start, bool block) {
        push(block ? Tok::BlockBegin : Tok::VarBegin, "", start);
        int depth = 0;  // open brackets: an end marker inside them is not the end of the tag
        const char* end = block ? "%}" : "}}";
        while (true) {
            while (pos_ < src_.size() && is_space(src_[pos_])) ++pos_;
            if (pos_ >= src_.size())
                fail(start, block ? "unexpected end of template, expected '%}'"
                                  : "unexpected end of template, expected '}}'");
            char c = src_[pos_];
            if (depth == 0) {
                char sign = (c == '-' || c == '+') ? c : 0;
                size_t at = pos_ + (sign ? 1 : 0);
                if (src_.compare(at, 2, end) == 0) {
                    push(block ? Tok::BlockEnd : Tok::VarEnd, "", pos_);
                    return finish_tag(at + 2, sign, block);
                }
            }
            size_t tok_start = pos_;
            if (is_name_start(c)) {
                while (pos_ < src_.size() && (is_name_start(src_[pos_]) || is_digit(src_[pos_]))) ++pos_;
                push(Tok::Name, src_.substr(tok_start, pos_ - tok_start), tok_start);
            } else if (is_digit(c)) {
                lex_number();
            } else if (c == '\'' || c == '"') {
                push(Tok::String, lex_string(), tok_start);
            } else {
                static const char* ops[] = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "/",
                                            "*",  "%",  "~",  "[",  "]",  "(",  ")", "{", "}",
                                            "<",  ">",  "=",  ".",  ":",  "|",  ",", ";"};
                const char* found = nullptr;
                for (const char* op : ops) {
                    if (src_.compare(pos_, std::strlen(op), op) == 0) {
                        found = op;
                        break;
                    }
                }
                if (!found) fail(pos_, std::string("unexpected char '") + c + "'");
                if (*found == '(' || *found == '[' || *found == '{') ++depth;
                if (*found == ')' || *found == ']' || *found == '}') {
                    if (depth == 0) fail(pos_, std::string("unexpected '") + found + "'");
                    --depth;
                }
                pos_ += std::strlen(found);
                push(Tok::Op, found, tok_start);
            }
        }
    }

    void lex_number() {
        size_t s = pos_;
        auto digits = [&] {
            while (pos_ < src_.size() &&
                   (is_digit(src_[pos_]) ||
                    (src_[pos_] == '_' && pos_ + 1 < src_.size() && is_digit(src_[pos_ + 1]))))
                ++pos_;
        };
        digits();
        bool is_float = false;
        if (pos_ + 1 < src_.size() && src_[pos_] == '.' && is_digit(src_[pos_ + 1])) {
            ++pos_;
            digits();
            is_float = true;
        }
        if (pos_ < src_.size() && (src_[pos_] == 'e' || src_[pos_] == 'E')) {
            size_t q = pos_ + 1;
            if (q < src_.size() && (src_[q] == '+' || src_[q] == '-')) ++q;
            if (q < src_.size() && is_digit(src_[q])) {
                pos_ = q;
                digits();
                is_float = true;
            }
        }
        std::string text;
        for (size_t k = s; k < pos_; ++k)
            if (src_[k] != '_') text += src_[k];
        push(is_float ? Tok::Float : Tok::Int, text, s);
    }

    // Python's unicode-escape decoding of the literal body.
    std::string lex_string() {
        size_t start = pos_;
        char q = src_[pos_++];
        std::u32string out;
        auto hex = [&](int n) -> char32_t {
            if (pos_ + n > src_.size()) fail(pos_, "truncated escape in string literal");
            char32_t v = 0;
            for (int k = 0; k < n; ++k) {
                char h = src_[pos_ + k];
                int d = is_digit(h)              ? h - '0'
                        : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                        : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                                 : -1;
                if (d < 0) fail(pos_, "bad escape in string literal");
                v = v * 16 + d;
            }
            pos_ += n;
            return v;
        };
        size_t run = pos_;  // start of unescaped text not yet decoded
        auto flush = [&](size_t upto) {
            std::u32string part = utf8_decode(std::string_view(src_).substr(run, upto - run));
            out += part;
        };
        while (true) {
            if (pos_ >= src_.size()) fail(start, "unterminated string literal");
            char c = src_[pos_];
            if (c == q) {
                flush(pos_);
                ++pos_;
                break;
            }
            if (c != '\\') {
                ++pos_;
                continue;
            }
            flush(pos_);
            if (pos_ + 1 >= src_.size()) fail(start, "unterminated string literal");
            char e = src_[pos_ + 1];
            pos_ += 2;
            switch (e) {
                case '\n':
                    break;
                case '\\':
                    out.push_back('\\');
                    break;
                case '\'':
                    out.push_back('\'');
                    break;
                case '"':
                    out.push_back('"');
                    break;
                case 'a':
                    out.push_back('\a');
                    break;
                case 'b':
                    out.push_back('\b');
                    break;
                case 'f':
                    out.push_back('\f');
                    break;
                case 'n':
                    out.push_back('\n');
                    break;
                case 'r':
                    out.push_back('\r');
                    break;
                case 't':
                    out.push_back('\t');
                    break;
                case 'v':
                    out.push_back('\v');
                    break;
                case 'x':
                    out.push_back(hex(2));
                    break;
                case 'u':
                    out.push_back(hex(4));
                    break;
                case 'U': {
                    char32_t v = hex(8);
                    if (v > 0x10FFFF) fail(pos_, "bad \\U escape in string literal");
                    out.push_back(v);
                    break;
                }
                default:
                    if (e >= '0' && e <= '7') {
                        char32_t v = e - '0';
                        for (int k = 0; k < 2 && pos_ < src_.size() && src_[pos_] >= '0' && src_[pos_] <= '7';
                             ++k)
                            v = v * 8 + (src_[pos_++] - '0');
                        out.push_back(v);
                    } else {  // unknown escapes keep the backslash
                        out.push_back('\\');
                        pos_ -= 1;
                    }
            }
            run = pos_;
        }
        return utf8_encode(out);
    }
};

}  // namespace

std::vector<Token> tokenize(std::string_view source) {
    return Lexer(source).run();
}

}  // namespace hy::jinja
