// The chat request's logits processor (api/constraints): thinking budget forcing `</think>` token by
// token (spec/api.md §8.3), the grammar only after reasoning ends, and the Sampler hook that applies
// both (engine/token_constraint.h).
#include "api/constraints/reasoning_constraint.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "engine/grammar/test_support.h"
#include "engine/sampler.h"

namespace hy::api {
namespace {

using chat::ReasoningPhase;

// Marker ids: any two ids work for the processor; the synthetic vocabulary's last two ids are the
// special <pad> and <eos>, so use two ordinary byte tokens.
constexpr int32_t kStart = 'S';
constexpr int32_t kEnd = 'E';
constexpr int32_t kWord = 'w';

ConstraintSpec budget_spec(int64_t budget) {
    ConstraintSpec s;
    s.initial = ReasoningPhase::IN_REASONING;
    s.markers = {kStart, kEnd};
    s.thinking_budget = budget;
    s.end_sequence = {'.', kEnd};  // a short message then the end marker
    return s;
}

TEST(ReasoningConstraint, BudgetForcesEndSequenceTokenByToken) {
    ReasoningConstraint c(budget_spec(3));
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(c.forced_token(), -1) << i;
        c.accept(kWord);
    }
    EXPECT_EQ(c.state().reasoning_tokens(), 3);
    EXPECT_EQ(c.forced_token(), '.');
    c.accept('.');
    EXPECT_EQ(c.state().phase(), ReasoningPhase::FORCING_END);
    EXPECT_EQ(c.forced_token(), kEnd);
    c.accept(kEnd);
    EXPECT_EQ(c.state().phase(), ReasoningPhase::IN_CONTENT);
    EXPECT_EQ(c.forced_token(), -1);
    c.accept(kWord);
    EXPECT_EQ(c.forced_token(), -1);
    EXPECT_EQ(c.state().reasoning_tokens(), 3);
}

TEST(ReasoningConstraint, BudgetZeroForcesFirst) {
    ReasoningConstraint c(budget_spec(0));
    EXPECT_EQ(c.forced_token(), '.');
}

TEST(ReasoningConstraint, ModelEndingReasoningItselfStopsTheBudget) {
    ReasoningConstraint c(budget_spec(2));
    c.accept(kWord);
    c.accept(kEnd);  // the model closed its thinking under budget
    EXPECT_EQ(c.state().phase(), ReasoningPhase::IN_CONTENT);
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(c.forced_token(), -1);
        c.accept(kWord);
    }
}

TEST(ReasoningConstraint, NoBudgetNeverForces) {
    ConstraintSpec s = budget_spec(0);
    s.thinking_budget.reset();
    ReasoningConstraint c(s);
    for (int i = 0; i < 50; ++i) {
        EXPECT_EQ(c.forced_token(), -1);
        c.accept(kWord);
    }
    EXPECT_EQ(c.state().reasoning_tokens(), 50);
}

bool finite(float x) {
    return std::isfinite(x);
}

// The id of a token of the (shuffled) synthetic vocabulary.
size_t id_of(const grammar::TokenVocabulary& v, const std::string& bytes) {
    for (uint32_t i = 0; i < v.size(); ++i)
        if (!v.is_special(i) && v.token_bytes(i) == bytes) return i;
    ADD_FAILURE() << "no token " << bytes;
    return 0;
}

TEST(ReasoningConstraint, GrammarStartsRightAfterReasoning) {
    auto vocab = grammar::make_test_vocabulary();
    ConstraintSpec s;
    s.initial = ReasoningPhase::IN_REASONING;
    s.markers = {kStart, kEnd};
    s.grammar = grammar::compile_choice({"yes"});
    s.vocab = vocab;
    ReasoningConstraint c(s);
    const auto n = static_cast<int64_t>(vocab->size());
    std::vector<float> row(static_cast<size_t>(n), 0.0f);

    c.mask_logits(row.data(), n);  // thinking is free
    for (float x : row) ASSERT_TRUE(finite(x));
    c.accept(kWord);
    c.accept(kEnd);

    c.mask_logits(row.data(), n);
    const auto& v = *vocab;
    EXPECT_TRUE(finite(row[id_of(v, "y")]));
    EXPECT_FALSE(finite(row[id_of(v, "z")]));
    const size_t eos = vocab->eos_ids().front();
    EXPECT_FALSE(finite(row[eos]));  // "yes" not complete yet
    for (const char* b : {"y", "e", "s"}) c.accept(static_cast<int32_t>(id_of(v, b)));
    std::fill(row.begin(), row.end(), 0.0f);
    c.mask_logits(row.data(), n);
    EXPECT_TRUE(finite(row[eos]));
    EXPECT_FALSE(finite(row[id_of(v, "s")]));
}

TEST(ReasoningConstraint, WithoutMarkersEverythingIsConstrained) {
    auto vocab = grammar::make_test_vocabulary();
    ConstraintSpec s;  // /v1/completions: no reasoning
    s.grammar = grammar::compile_regex("[0-9]+");
    s.vocab = vocab;
    ReasoningConstraint c(s);
    std::vector<float> row(vocab->size() + 7, 0.0f);  // padded logits row
    c.mask_logits(row.data(), static_cast<int64_t>(row.size()));
    EXPECT_TRUE(finite(row[id_of(*vocab, "7")]));
    EXPECT_FALSE(finite(row[id_of(*vocab, "a")]));
    EXPECT_FALSE(finite(row.back()));  // past the vocabulary
}

// prepare() (the hook a scheduler can run while the forward pass runs) gives the same masks.
TEST(ReasoningConstraint, PreparedMaskEqualsTheOneComputedAtSampling) {
    auto vocab = grammar::make_test_vocabulary();
    ConstraintSpec s;
    s.grammar = grammar::compile_json_object();
    s.vocab = vocab;
    ReasoningConstraint prepared(s), direct(s);
    const auto n = static_cast<int64_t>(vocab->size());
    for (const char* piece : {"{", "\"", "a", "\":", "1", "}"}) {
        std::vector<float> a(static_cast<size_t>(n), 0.0f), b = a;
        prepared.prepare();
        prepared.mask_logits(a.data(), n);
        direct.mask_logits(b.data(), n);
        for (int64_t i = 0; i < n; ++i) ASSERT_EQ(finite(a[i]), finite(b[i])) << piece << " " << i;
        const auto id = static_cast<int32_t>(id_of(*vocab, piece));
        prepared.accept(id);
        direct.accept(id);
    }
}

// The Sampler applies the processor whatever the logits say.
TEST(SamplerConstraint, ForcedTokensWinAndCountTowardMaxTokens) {
    auto vocab = grammar::make_test_vocabulary();
    ConstraintSpec s = budget_spec(1);
    s.grammar = grammar::compile_regex("[0-9]");
    s.vocab = vocab;
    SamplingParams p;
    p.temperature = 1.0;
    p.seed = 7;
    p.constraint = std::make_shared<ReasoningConstraint>(s);
    Sampler sampler(p, {static_cast<int32_t>(vocab->eos_ids().front())}, {}, 1);
    const auto n = static_cast<int64_t>(vocab->size());
    std::vector<float> row(static_cast<size_t>(n), 0.0f);
    row[kWord] = 50.0f;  // the model "wants" this token every step

    EXPECT_EQ(sampler.sample(row.data(), n).token, kWord);  // reasoning: free
    EXPECT_EQ(sampler.sample(row.data(), n).token, '.');    // budget spent: forced
    EXPECT_EQ(sampler.sample(row.data(), n).token, kEnd);
    const int32_t digit = sampler.sample(row.data(), n).token;  // grammar: one digit
    const std::string& text = vocab->token_bytes(static_cast<uint32_t>(digit));
    EXPECT_TRUE(text.size() == 1 && text[0] >= '0' && text[0] <= '9') << text;
    EXPECT_TRUE(sampler.is_stop_token(sampler.sample(row.data(), n).token));  // then only EOS
    EXPECT_EQ(sampler.n_generated(), 5);
}

}  // namespace
}  // namespace hy::api
