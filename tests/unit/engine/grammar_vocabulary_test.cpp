// TokenVocabulary: the byte trie holds exactly the non-special, non-empty tokens (issue 9, "Engine").
#include <gtest/gtest.h>

#include "core/error.h"
#include "engine/grammar/grammar.h"
#include "engine/grammar/grammar_matcher.h"
#include "engine/grammar/logit_mask.h"
#include "engine/grammar/test_support.h"
#include "engine/grammar/token_vocabulary.h"

namespace hy::grammar {
namespace {

TEST(GrammarVocabulary, TrieSpellsEveryOrdinaryTokenOnce) {
    TokenVocabulary v({"a", "ab", "abc", "b", "", "ab", "<s>", "\xE6\x97\xA5"}, {6}, {});
    std::vector<int> seen(v.size(), 0);
    std::string path;
    const auto& trie = v.trie();
    for (size_t k = 0; k < trie.size(); ++k) {
        path.resize(trie[k].depth - 1);
        path += static_cast<char>(trie[k].byte);
        EXPECT_GT(trie[k].subtree_end, k);
        for (uint32_t i = trie[k].token_begin; i < trie[k].token_end; ++i) {
            uint32_t id = v.trie_tokens()[i];
            EXPECT_EQ(v.token_bytes(id), path);
            ++seen[id];
        }
    }
    EXPECT_EQ(seen, (std::vector<int>{1, 1, 1, 1, 0, 1, 0, 1}));
    EXPECT_EQ(trie.size(), 7u);  // a, ab, abc, b and the three bytes of the CJK character
    EXPECT_TRUE(v.is_special(6));
    EXPECT_FALSE(v.is_special(0));
}

TEST(GrammarVocabulary, EosIsSpecialAndIdsAreChecked) {
    TokenVocabulary v({"x", "</s>"}, {}, {1});
    EXPECT_TRUE(v.is_special(1));
    EXPECT_TRUE(v.is_eos(1));
    EXPECT_THROW(TokenVocabulary({"x"}, {3}, {}), Error);
    EXPECT_THROW(TokenVocabulary({"x"}, {}, {1}), Error);
}

TEST(GrammarVocabulary, TestVocabularyHasAllBytes) {
    auto v = make_test_vocabulary();
    size_t singles = 0;
    for (uint32_t id = 0; id < v->size(); ++id)
        singles += !v->is_special(id) && v->token_bytes(id).size() == 1;
    EXPECT_EQ(singles, 256u);
    EXPECT_EQ(v->eos_ids().size(), 1u);
}

TEST(GrammarVocabulary, HfLoaderRejectsBadFiles) {
    EXPECT_THROW(TokenVocabulary::from_hf_tokenizer_json("/nonexistent/tokenizer.json", {}), Error);
}

// The sampler hook: disallowed ids and ids past the vocabulary become -inf, allowed ones keep their logit.
TEST(GrammarVocabulary, ApplyTokenMask) {
    auto vocab = std::make_shared<TokenVocabulary>(std::vector<std::string>{"a", "b", "ab", "</s>"},
                                                   std::vector<uint32_t>{}, std::vector<uint32_t>{3});
    GrammarMatcher m(compile_choice({"ab"}), vocab);
    std::vector<uint32_t> mask(vocab->mask_words());
    m.fill_next_token_mask(mask.data());
    std::vector<float> logits(6, 1.0f);  // padded past the 4-token vocabulary
    apply_token_mask(logits.data(), logits.size(), mask.data(), vocab->size());
    const float inf = std::numeric_limits<float>::infinity();
    EXPECT_EQ(logits, (std::vector<float>{1.0f, -inf, 1.0f, -inf, -inf, -inf}));
}

}  // namespace
}  // namespace hy::grammar
