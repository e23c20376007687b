// Structured outputs: the public API of the grammar engine (issue 9). See README.md in this folder.
//
//   auto g = compile_json_schema(schema, {});          // or compile_regex / compile_choice / compile_gbnf
//   GrammarMatcher m(g, vocab);                         // one per request (grammar_matcher.h)
//   m.fill_next_token_mask(bits); ... m.accept_token(id);
//
// Compilation is vocabulary-independent and the result is immutable and shareable across requests;
// the per-vocabulary automaton and mask caches hang off it (runtime()), built lazily and shared.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "engine/grammar/grammar_ir.h"

namespace hy::grammar {

class TokenVocabulary;
class GrammarRuntime;

struct JsonSchemaOptions {
    // xgrammar/vLLM "strict" behaviour: an object schema without additionalProperties admits no
    // extra keys, and prefixItems without items admits no extra items. false = JSON Schema defaults.
    bool strict = true;
    // Regex (the subset of README.md) for the whitespace allowed between JSON tokens; empty = none,
    // i.e. compact output like {"a":1,"b":[2,3]}.
    std::string whitespace_pattern;
    // Upper bound on counts that are unrolled (minItems/maxItems, minLength/maxLength, {m,n}).
    uint32_t max_repetition = 4096;
};

// A compiled grammar in flat form: rules are alternatives, each a run of elements in elements()
// closed by kEnd. Element e >= 0 is byte_sets()[e]; e < 0 (and != kEnd) references rule -(e + 1).
// Position 0 holds the synthetic start [Ref(root), kEnd].
class Grammar {
  public:
    static constexpr int32_t kEnd = INT32_MIN;
    static int32_t ref_element(uint32_t rule) { return -static_cast<int32_t>(rule) - 1; }
    static uint32_t ref_rule(int32_t element) { return static_cast<uint32_t>(-(element + 1)); }

    Grammar(std::vector<int32_t> elements, std::vector<ByteSet> byte_sets,
            std::vector<std::vector<uint32_t>> rule_alternatives, std::vector<std::string> rule_names);

    const std::vector<int32_t>& elements() const { return elements_; }
    const std::vector<ByteSet>& byte_sets() const { return byte_sets_; }
    const std::vector<std::vector<uint32_t>>& rule_alternatives() const { return alternatives_; }
    const std::vector<std::string>& rule_names() const { return names_; }
    std::string describe() const;  // GBNF-like dump, for debugging and tests

    // The automaton and mask caches for one vocabulary (nullptr: byte-level matching only).
    // Thread-safe; created on first use and kept as long as the grammar, so a cached compiled grammar
    // keeps its warm masks across requests.
    std::shared_ptr<GrammarRuntime> runtime(const std::shared_ptr<const TokenVocabulary>& vocab) const;

  private:
    std::vector<int32_t> elements_;
    std::vector<ByteSet> byte_sets_;
    std::vector<std::vector<uint32_t>> alternatives_;
    std::vector<std::string> names_;
    mutable std::mutex runtime_mutex_;
    mutable std::vector<std::pair<uint64_t, std::shared_ptr<GrammarRuntime>>> runtimes_;
};

// All compile functions throw hy::Error (http_status 400) naming the unsupported feature or the
// position of the syntax error; none of them ever falls back to unconstrained output.
std::shared_ptr<const Grammar> compile_json_schema(const nlohmann::json& schema,
                                                   const JsonSchemaOptions& options);
std::shared_ptr<const Grammar> compile_json_object(const JsonSchemaOptions& options = {});  // any JSON object
std::shared_ptr<const Grammar> compile_regex(std::string_view pattern);  // whole-string match
std::shared_ptr<const Grammar> compile_choice(const std::vector<std::string>& choices);
std::shared_ptr<const Grammar> compile_gbnf(std::string_view text);  // llama.cpp GBNF, start rule "root"

}  // namespace hy::grammar
