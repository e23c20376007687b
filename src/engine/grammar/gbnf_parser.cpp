// structured_outputs.grammar: llama.cpp's GBNF (README.md, "GBNF"). Rules `name ::= alternatives`,
// start rule `root`; terminals "..." (escapes \n \r \t \\ \" \[ \] \xHH \uHHHH \UHHHHHHHH), classes
// [...] / [^...] with ranges, '.', references, groups, and * + ? {m} {m,} {m,n}; '#' comments. A rule
// may span lines: it ends where the next `name ::=` begins.
#include <cctype>
#include <map>

#include "core/error.h"
#include "engine/grammar/grammar.h"
#include "engine/grammar/text_scanner.h"
#include "engine/grammar/utf8_ranges.h"

namespace hy::grammar {

namespace {

bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

class GbnfParser : TextScanner {
  public:
    explicit GbnfParser(std::string_view text) : TextScanner(text) {}

    std::shared_ptr<const Grammar> run() {
        skip_space();
        if (at_end()) fail("the grammar is empty");
        while (!at_end()) {
            std::string name = parse_name();
            skip_space();
            if (t_.substr(pos_, 3) != "::=") fail("expected '::=' after rule name '" + name + "'");
            pos_ += 3;
            uint32_t rule = rule_id(name);
            if (b_.defined(rule)) fail("rule '" + name + "' is defined twice");
            b_.define(rule, parse_alternatives(0));
            skip_space();
        }
        auto root = rules_.find("root");
        if (root == rules_.end() || !b_.defined(root->second)) fail("no 'root' rule");
        return b_.build(root->second, "GBNF grammar");
    }

  private:
    void throw_error(const std::string& msg) const override {
        size_t line = 1, col = 1;
        for (size_t i = 0; i < pos_ && i < t_.size(); ++i) {
            if (t_[i] == '\n') {
                ++line, col = 1;
            } else {
                ++col;
            }
        }
        throw Error(
            "GBNF grammar, line " + std::to_string(line) + " column " + std::to_string(col) + ": " + msg, 400,
            "invalid_request_error", "grammar");
    }

    void skip_space() {
        while (!at_end()) {
            char c = peek();
            if (c == '#') {
                while (!at_end() && peek() != '\n') ++pos_;
            } else if (std::isspace(static_cast<unsigned char>(c))) {
                ++pos_;
            } else {
                break;
            }
        }
    }

    std::string parse_name() {
        size_t start = pos_;
        while (!at_end() && is_name_char(peek())) ++pos_;
        if (pos_ == start) fail("expected a rule name");
        return std::string(t_.substr(start, pos_ - start));
    }

    uint32_t rule_id(const std::string& name) {
        auto [it, inserted] = rules_.try_emplace(name, 0);
        if (inserted) it->second = b_.declare(name);
        return it->second;
    }

    // Whether a new rule (`name ::=`) starts at the current position.
    bool at_rule_start() const {
        size_t p = pos_;
        while (p < t_.size() && is_name_char(t_[p])) ++p;
        if (p == pos_) return false;
        while (p < t_.size() && std::isspace(static_cast<unsigned char>(t_[p]))) ++p;
        return t_.substr(p, 3) == "::=";
    }

    Expr parse_alternatives(int depth) {
        if (depth > 200) fail("groups nested too deeply");
        std::vector<Expr> alts;
        alts.push_back(parse_sequence(depth));
        while (peek() == '|') {
            ++pos_;
            alts.push_back(parse_sequence(depth));
        }
        return alt(std::move(alts));
    }

    Expr parse_sequence(int depth) {
        std::vector<Expr> items;
        for (;;) {
            skip_space();
            if (at_end() || peek() == '|' || peek() == ')' || at_rule_start()) break;
            Expr atom = parse_atom(depth);
            for (;;) {
                char c = peek();
                if (c == '*') {
                    atom = star(std::move(atom)), ++pos_;
                } else if (c == '+') {
                    atom = repeat(std::move(atom), 1, kUnbounded), ++pos_;
                } else if (c == '?') {
                    atom = optional(std::move(atom)), ++pos_;
                } else if (c == '{') {
                    ++pos_;
                    uint32_t min = parse_count(JsonSchemaOptions{}.max_repetition), max = min;
                    if (peek() == ',') {
                        ++pos_;
                        max = peek() == '}' ? kUnbounded : parse_count(JsonSchemaOptions{}.max_repetition);
                    }
                    if (peek() != '}') fail("expected '}'");
                    ++pos_;
                    if (max < min) fail("{m,n} with n < m");
                    atom = repeat(std::move(atom), min, max);
                } else {
                    break;
                }
            }
            items.push_back(std::move(atom));
        }
        return seq(std::move(items));
    }

    Expr parse_atom(int depth) {
        char c = peek();
        if (c == '"') {
            ++pos_;
            std::string bytes;
            while (!at_end() && peek() != '"') utf8_append(bytes, parse_char());
            if (at_end()) fail("unterminated string");
            ++pos_;
            return literal(bytes);
        }
        if (c == '[') {
            ++pos_;
            bool negate = peek() == '^';
            if (negate) ++pos_;
            CodepointRanges set;
            while (!at_end() && peek() != ']') {
                uint32_t lo = parse_char(), hi = lo;
                if (peek() == '-' && pos_ + 1 < t_.size() && t_[pos_ + 1] != ']') {
                    ++pos_;
                    hi = parse_char();
                    if (hi < lo) fail("character range out of order");
                }
                set.push_back({lo, hi});
            }
            if (at_end()) fail("unterminated character class");
            ++pos_;
            set = normalize(set);
            return utf8_expr(negate ? complement(set) : set);
        }
        if (c == '.') {
            ++pos_;
            return utf8_expr({{0, kMaxCodepoint}});
        }
        if (c == '(') {
            ++pos_;
            Expr inner = parse_alternatives(depth + 1);
            skip_space();
            if (peek() != ')') fail("expected ')'");
            ++pos_;
            return inner;
        }
        if (is_name_char(c)) return ref(rule_id(parse_name()));
        fail(std::string("unexpected character '") + c + "'");
    }

    uint32_t hex_char(size_t n) {
        uint32_t v = parse_hex(n);
        if (v > kMaxCodepoint || (v >= 0xD800 && v <= 0xDFFF)) fail("escape is not a character");
        return v;
    }

    // One character of a string or class, escapes decoded.
    uint32_t parse_char() {
        unsigned char c = static_cast<unsigned char>(peek());
        if (c == '\\') {
            ++pos_;
            if (at_end()) fail("trailing backslash");
            char e = peek();
            ++pos_;
            switch (e) {
                case 'n':
                    return '\n';
                case 'r':
                    return '\r';
                case 't':
                    return '\t';
                case 'x':
                    return hex_char(2);
                case 'u':
                    return hex_char(4);
                case 'U':
                    return hex_char(8);
                case '\\':
                case '"':
                case '[':
                case ']':
                case '-':
                case '^':
                    return static_cast<unsigned char>(e);
                default:
                    fail(std::string("unknown escape \\") + e);
            }
        }
        return next_codepoint();
    }

    GrammarBuilder b_;
    std::map<std::string, uint32_t> rules_;
};

}  // namespace

std::shared_ptr<const Grammar> compile_gbnf(std::string_view text) {
    return GbnfParser(text).run();
}

}  // namespace hy::grammar
