// The grammar intermediate representation every front end (JSON Schema, regex, choice, GBNF) builds:
// expression trees over byte sets and rule references, lowered by GrammarBuilder into the flat
// "rules of alternatives of element sequences" form that the matcher runs (issue 9, "Engine").
// Bytes, not characters: UTF-8 is spelled out as byte sequences (utf8_ranges.h), so a token is
// matched by its decoded bytes with no character decoding at run time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hy::grammar {

class Grammar;

// A set of byte values; four words so it hashes and compares cheaply.
struct ByteSet {
    uint64_t w[4] = {0, 0, 0, 0};
    void set(unsigned b) { w[b >> 6] |= uint64_t{1} << (b & 63); }
    void set_range(unsigned lo, unsigned hi) {
        for (unsigned b = lo; b <= hi; ++b) set(b);
    }
    bool test(unsigned b) const { return (w[b >> 6] >> (b & 63)) & 1; }
    bool empty() const { return (w[0] | w[1] | w[2] | w[3]) == 0; }
    bool operator==(const ByteSet&) const = default;
};

inline constexpr uint32_t kUnbounded = UINT32_MAX;

// An expression of the grammar language. Seq{} is the empty string; Alt{} matches nothing.
struct Expr {
    enum class Kind : uint8_t { Bytes, Seq, Alt, Ref, Repeat };
    Kind kind = Kind::Seq;
    ByteSet bytes;              // Bytes
    std::vector<Expr> items;    // Seq, Alt; Repeat: items[0] is the body
    uint32_t rule = 0;          // Ref
    uint32_t min = 0, max = 0;  // Repeat (max may be kUnbounded)
};

Expr byte_set(const ByteSet& set);
Expr byte_range(unsigned lo, unsigned hi);
Expr literal(std::string_view bytes);
Expr seq(std::vector<Expr> items);
Expr alt(std::vector<Expr> items);
Expr ref(uint32_t rule);
Expr repeat(Expr body, uint32_t min, uint32_t max);
inline Expr optional(Expr body) {
    return repeat(std::move(body), 0, 1);
}
inline Expr star(Expr body) {
    return repeat(std::move(body), 0, kUnbounded);
}
inline Expr empty_string() {
    return Expr{};
}
inline Expr nothing() {
    return Expr{Expr::Kind::Alt, {}, {}, 0, 0, 0};
}

// Collects named rules, then lowers them into a Grammar. Rule ids are dense from 0.
class GrammarBuilder {
  public:
    uint32_t declare(std::string name);
    void define(uint32_t rule, Expr body);
    bool defined(uint32_t rule) const { return defined_[rule]; }
    const std::string& name(uint32_t rule) const { return names_[rule]; }
    size_t rule_count() const { return names_.size(); }
    // Lowers every rule; `what` names the source in error messages ("JSON schema", "GBNF grammar").
    // Throws hy::Error (400) for undefined rules, left recursion or an oversized grammar.
    std::shared_ptr<const Grammar> build(uint32_t root, const std::string& what);

  private:
    std::vector<std::string> names_;
    std::vector<Expr> bodies_;
    std::vector<bool> defined_;
};

}  // namespace hy::grammar
