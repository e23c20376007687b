#include "engine/grammar/regex_compiler.h"

#include <cctype>

#include "core/error.h"
#include "engine/grammar/text_scanner.h"
#include "engine/grammar/utf8_ranges.h"

namespace hy::grammar {

namespace {

CodepointRanges digit_class() {
    return {{'0', '9'}};
}
CodepointRanges word_class() {
    return normalize({{'0', '9'}, {'A', 'Z'}, {'a', 'z'}, {'_', '_'}});
}
CodepointRanges space_class() {
    return normalize({{'\t', '\r'},
                      {' ', ' '},
                      {0xA0, 0xA0},
                      {0x1680, 0x1680},
                      {0x2000, 0x200A},
                      {0x2028, 0x2029},
                      {0x202F, 0x202F},
                      {0x205F, 0x205F},
                      {0x3000, 0x3000},
                      {0xFEFF, 0xFEFF}});
}

class RegexParser : TextScanner {
  public:
    RegexParser(std::string_view p, RegexMode mode, uint32_t max_rep, const std::string& what)
        : TextScanner(p), mode_(mode), max_rep_(max_rep), what_(what) {}

    CompiledRegex run() {
        CompiledRegex out;
        if (pos_ < t_.size() && t_[pos_] == '^') {
            out.anchored_start = true;
            ++pos_;
        }
        size_t end = t_.size();
        if (end > pos_ && t_[end - 1] == '$' && !escaped_at(end - 1)) {
            out.anchored_end = true;
            t_ = t_.substr(0, end - 1);
        }
        out.expr = parse_alternation();
        if (pos_ != t_.size()) fail("unbalanced ')'");
        return out;
    }

  private:
    // Whether the character at i is preceded by an odd number of backslashes.
    bool escaped_at(size_t i) const {
        size_t n = 0;
        while (i > n && t_[i - 1 - n] == '\\') ++n;
        return n % 2 == 1;
    }

    void throw_error(const std::string& msg) const override {
        throw Error(what_ + ": " + msg + " at offset " + std::to_string(pos_) + " of regex '" +
                    std::string(t_) + "'");
    }

    Expr chars(const CodepointRanges& set) const {
        return mode_ == RegexMode::Raw ? utf8_expr(set) : json_string_char_expr(set);
    }

    Expr parse_alternation() {
        std::vector<Expr> alts;
        alts.push_back(parse_sequence());
        while (peek() == '|') {
            ++pos_;
            alts.push_back(parse_sequence());
        }
        return alt(std::move(alts));
    }

    Expr parse_sequence() {
        std::vector<Expr> items;
        while (!at_end() && peek() != '|' && peek() != ')') items.push_back(parse_quantified());
        return seq(std::move(items));
    }

    Expr parse_quantified() {
        Expr atom = parse_atom();
        for (;;) {
            uint32_t min = 0, max = 0;
            char c = peek();
            if (c == '*') {
                min = 0, max = kUnbounded, ++pos_;
            } else if (c == '+') {
                min = 1, max = kUnbounded, ++pos_;
            } else if (c == '?') {
                min = 0, max = 1, ++pos_;
            } else if (c == '{') {
                ++pos_;
                min = parse_count(max_rep_);
                max = min;
                if (peek() == ',') {
                    ++pos_;
                    max = peek() == '}' ? kUnbounded : parse_count(max_rep_);
                }
                if (peek() != '}') fail("expected '}'");
                ++pos_;
                if (max < min) fail("{n,m} with m < n");
            } else {
                return atom;
            }
            if (peek() == '?') ++pos_;  // lazy: same language
            if (peek() == '*' || peek() == '+' || peek() == '?' || peek() == '{') fail("nothing to repeat");
            atom = repeat(std::move(atom), min, max);
        }
    }

    Expr parse_atom() {
        char c = peek();
        switch (c) {
            case '(': {
                ++pos_;
                // Groups recurse; bound the depth so hostile input cannot exhaust the stack.
                if (++depth_ > 200) fail("groups nested deeper than 200");
                if (peek() == '?') {
                    ++pos_;
                    if (peek() == ':') {
                        ++pos_;
                    } else if (peek() == '<' && pos_ + 1 < t_.size() && t_[pos_ + 1] != '=' &&
                               t_[pos_ + 1] != '!') {
                        while (!at_end() && peek() != '>') ++pos_;
                        if (at_end()) fail("unterminated group name");
                        ++pos_;
                    } else {
                        fail("lookaround assertions are not supported");
                    }
                }
                Expr inner = parse_alternation();
                if (peek() != ')') fail("missing ')'");
                ++pos_;
                --depth_;
                return inner;
            }
            case '[':
                return chars(parse_class());
            case '.':
                ++pos_;
                // JavaScript '.': anything but line terminators.
                return chars(complement({{'\n', '\n'}, {'\r', '\r'}, {0x2028, 0x2029}}));
            case '\\':
                return chars(parse_escape(false));
            case '^':
            case '$':
                fail("anchors are supported only at the start and end of the pattern");
            case '*':
            case '+':
            case '?':
            case '{':
                fail("nothing to repeat");
            case '}':
            case ']':
                fail(std::string("unescaped '") + c + "'");
            default: {
                uint32_t cp = next_codepoint();
                return chars({{cp, cp}});
            }
        }
    }

    // An escape after '\'; in a class, \b is backspace.
    CodepointRanges parse_escape(bool in_class) {
        ++pos_;  // the backslash
        if (at_end()) fail("trailing backslash");
        char c = peek();
        ++pos_;
        switch (c) {
            case 'd':
                return digit_class();
            case 'D':
                return complement(digit_class());
            case 'w':
                return word_class();
            case 'W':
                return complement(word_class());
            case 's':
                return space_class();
            case 'S':
                return complement(space_class());
            case 'n':
                return {{'\n', '\n'}};
            case 'r':
                return {{'\r', '\r'}};
            case 't':
                return {{'\t', '\t'}};
            case 'f':
                return {{'\f', '\f'}};
            case 'v':
                return {{'\v', '\v'}};
            case '0':
                return {{0, 0}};
            case 'x': {
                uint32_t v = parse_hex(2);
                return {{v, v}};
            }
            case 'u': {
                uint32_t v;
                if (peek() == '{') {
                    ++pos_;
                    v = 0;
                    size_t n = 0;
                    while (!at_end() && peek() != '}' && n < 7) {
                        v = v * 16 + parse_hex(1);
                        ++n;
                    }
                    if (peek() != '}' || n == 0 || v > kMaxCodepoint) fail("bad \\u{...} escape");
                    ++pos_;
                } else {
                    v = parse_hex(4);
                }
                if (v >= 0xD800 && v <= 0xDFFF) fail("surrogate escapes are not supported");
                return {{v, v}};
            }
            case 'b':
                if (in_class) return {{'\b', '\b'}};
                fail("word boundaries (\\b) are not supported");
            case 'B':
                fail("word boundaries (\\B) are not supported");
            case 'p':
            case 'P':
                fail("unicode property classes (\\p) are not supported");
            default:
                if (c >= '1' && c <= '9') fail("backreferences are not supported");
                if (std::isalnum(static_cast<unsigned char>(c))) fail(std::string("unknown escape \\") + c);
                --pos_;
                uint32_t cp = next_codepoint();
                return {{cp, cp}};
        }
    }

    CodepointRanges parse_class() {
        ++pos_;  // '['
        bool negate = false;
        if (peek() == '^') {
            negate = true;
            ++pos_;
        }
        CodepointRanges set;
        while (!at_end() && peek() != ']') {
            CodepointRanges item = class_atom();
            if (peek() == '-' && pos_ + 1 < t_.size() && t_[pos_ + 1] != ']') {
                ++pos_;
                CodepointRanges hi = class_atom();
                if (item.size() != 1 || hi.size() != 1 || item[0].first != item[0].second ||
                    hi[0].first != hi[0].second)
                    fail("a class range needs single characters at both ends");
                if (hi[0].first < item[0].first) fail("class range out of order");
                set.push_back({item[0].first, hi[0].first});
            } else {
                set.insert(set.end(), item.begin(), item.end());
            }
        }
        if (at_end()) fail("missing ']'");
        ++pos_;
        set = normalize(set);
        return negate ? complement(set) : set;
    }

    CodepointRanges class_atom() {
        if (peek() == '\\') return parse_escape(true);
        if (peek() == '[' && pos_ + 1 < t_.size() && t_[pos_ + 1] == ':')
            fail("POSIX classes are not supported");
        uint32_t cp = next_codepoint();
        return {{cp, cp}};
    }

    RegexMode mode_;
    uint32_t max_rep_;
    int depth_ = 0;
    std::string what_;
};

}  // namespace

CompiledRegex compile_regex_expr(std::string_view pattern, RegexMode mode, uint32_t max_repetition,
                                 const std::string& what) {
    return RegexParser(pattern, mode, max_repetition, what).run();
}

}  // namespace hy::grammar
