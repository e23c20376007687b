// One request's position in a grammar (issue 9): computes the next-token mask over the whole
// vocabulary and advances as tokens are sampled. Not thread-safe itself (one request, one thread at
// a time), but many matchers may share a grammar: the shared automaton is locked per call, so the
// mask for step t+1 may be computed on another thread while the forward pass runs.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace hy::grammar {

class Grammar;
class GrammarRuntime;
class TokenVocabulary;

class GrammarMatcher {
  public:
    // vocab may be null for byte-level use (accept_bytes, can_end); the mask functions need one.
    GrammarMatcher(std::shared_ptr<const Grammar> grammar, std::shared_ptr<const TokenVocabulary> vocab);
    ~GrammarMatcher();
    GrammarMatcher(GrammarMatcher&&) noexcept;
    GrammarMatcher& operator=(GrammarMatcher&&) noexcept;

    // Number of 32-bit words fill_next_token_mask writes: ceil(vocab size / 32).
    size_t mask_words() const;
    // Bit i of the mask (bitmask[i / 32] >> (i % 32) & 1) is set iff token i may come next. Special
    // tokens are never set except EOS ids, which are set exactly when can_end(). After termination only
    // EOS is set. Ids beyond the vocabulary (padded logits) must be masked by the caller.
    void fill_next_token_mask(uint32_t* bitmask);
    // Advances by a token; false (and no change) if the mask would not allow it. EOS terminates.
    bool accept_token(uint32_t token_id);
    // Advances by raw bytes (tests, prefill of forced text); false (and no change) if rejected.
    bool accept_bytes(std::string_view bytes);

    bool can_end() const;  // the text so far is a complete match
    bool is_terminated() const { return terminated_; }
    // Undoes the last n accepted tokens (or accept_bytes calls); false if fewer were accepted.
    bool rollback(size_t n);
    void reset();
    size_t accepted_count() const { return history_.size(); }

    // For benchmarks and tests: distinct automaton states and cached masks in the shared runtime.
    size_t runtime_state_count() const;
    size_t runtime_cached_masks() const;

  private:
    std::shared_ptr<const Grammar> grammar_;
    std::shared_ptr<const TokenVocabulary> vocab_;
    std::shared_ptr<GrammarRuntime> rt_;
    int32_t state_;
    bool terminated_ = false;
    struct Step {
        int32_t state;
        bool terminated;
    };
    std::vector<Step> history_;  // state before each accepted step
};

}  // namespace hy::grammar
