// Building blocks of JSON grammars shared by the schema compiler and json_object: strings, numbers,
// integer ranges, any-value, and the object/array layouts with the configured whitespace.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/grammar/grammar.h"
#include "engine/grammar/grammar_ir.h"

namespace hy::grammar {

struct ObjectMember {
    std::string key_json;  // the key as a JSON string literal, quotes included
    Expr value;
    bool required;
};

class JsonGrammar {
  public:
    JsonGrammar(GrammarBuilder& b, const JsonSchemaOptions& opt) : b_(b), opt_(opt) {}

    Expr ws();           // the whitespace between JSON tokens (empty when compact)
    Expr string_char();  // one character of a JSON string body: raw UTF-8 or an escape
    Expr string(uint32_t min_chars, uint32_t max_chars);
    Expr number();
    static Expr integer_range(std::optional<int64_t> lo, std::optional<int64_t> hi);
    // Numbers in [lo, hi] (integer bounds), written without an exponent.
    static Expr number_range(std::optional<int64_t> lo, std::optional<int64_t> hi);
    Expr any_value();
    Expr any_object();
    // A key that is not one of `names`: printable ASCII without escapes, so its decoded form is its
    // bytes and cannot collide with a declared property through an escape (README.md).
    Expr key_excluding(const std::vector<std::string>& names);
    // Members in order, optional ones skippable, then (if extra) any number of extra members.
    Expr object(const std::vector<ObjectMember>& members, const std::optional<Expr>& extra);
    // [items[0], items[1], ..., then `rest` items], with min..max items in all.
    Expr array(const std::vector<Expr>& items, const std::optional<Expr>& rest, uint32_t min, uint32_t max);

  private:
    uint32_t lazy_rule(uint32_t& slot, const char* name, Expr (JsonGrammar::*make)());
    Expr make_char();
    Expr make_string();
    Expr make_value();
    Expr make_object();
    Expr make_array();
    Expr make_ws();

    GrammarBuilder& b_;
    JsonSchemaOptions opt_;
    static constexpr uint32_t kNone = UINT32_MAX;
    uint32_t char_ = kNone, string_ = kNone, value_ = kNone, object_ = kNone, array_ = kNone, ws_ = kNone;
};

}  // namespace hy::grammar
