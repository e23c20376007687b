// Support for testing structured outputs without a model (issue 9, "Verification"): a synthetic
// byte-level vocabulary and a random sampler that picks uniformly among the tokens the mask allows.
// Used by the unit tests, `hyserve grammar-sample` (tests/scripts/grammar_ajv.sh) and the benchmark.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace hy::grammar {

class GrammarMatcher;
class TokenVocabulary;

// ~1.5K tokens: all 256 single bytes (so every byte string is reachable, including partial UTF-8),
// JSON punctuation runs, literals, escapes, digits, multi-byte characters and seeded random words;
// then `<pad>` (special) and `<eos>` (EOS) as the last two ids.
std::shared_ptr<TokenVocabulary> make_test_vocabulary(uint64_t seed = 1);

struct SampleResult {
    std::string text;
    std::vector<uint32_t> tokens;
    bool finished = false;  // ended with EOS within max_tokens
};

// Samples until EOS or max_tokens: each step fills the mask and picks uniformly among allowed tokens;
// after soft_limit tokens every other step picks among closing tokens (", }, ], 0, EOS) when any is
// allowed, so random walks through recursive grammars end. Throws hy::Error if the mask allows a token that
// accept_token refuses or allows nothing while the matcher cannot end (a matcher bug).
SampleResult sample_random(GrammarMatcher& matcher, const TokenVocabulary& vocab, std::mt19937_64& rng,
                           size_t max_tokens, size_t soft_limit);

}  // namespace hy::grammar
