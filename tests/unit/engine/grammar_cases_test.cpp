// Issue 9, verification: for (schema, string) pairs in tests/data/grammar/cases.json the matcher
// accepts exactly the strings a validator accepts, byte by byte, rejecting at the first byte after
// which no completion exists. tests/scripts/grammar_ajv.sh checks the same pairs with ajv.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/grammar/grammar.h"
#include "engine/grammar/grammar_matcher.h"

namespace hy::grammar {
namespace {

using nlohmann::json;

json load_cases() {
    std::ifstream in(std::string(HYSERVE_TEST_DATA_DIR) + "/grammar/cases.json");
    return json::parse(in);
}

// Index of the first byte the matcher rejects, or -1 if it takes every byte.
long first_rejected(GrammarMatcher& m, const std::string& text) {
    for (size_t i = 0; i < text.size(); ++i)
        if (!m.accept_bytes(std::string_view(text).substr(i, 1))) return static_cast<long>(i);
    return -1;
}

TEST(GrammarCases, MatcherAgreesWithValidatorByteByByte) {
    json cases = load_cases();
    ASSERT_GE(cases.size(), 20u);
    size_t checked = 0;
    for (const auto& c : cases) {
        JsonSchemaOptions opt;
        if (c.contains("options")) opt.whitespace_pattern = c["options"].value("whitespace_pattern", "");
        auto g = compile_json_schema(c["schema"], opt);
        SCOPED_TRACE(c["schema"].dump());
        for (const auto& v : c["valid"]) {
            GrammarMatcher m(g, nullptr);
            std::string text = v.get<std::string>();
            EXPECT_EQ(first_rejected(m, text), -1) << text;
            EXPECT_TRUE(m.can_end()) << text;
            ++checked;
        }
        for (const char* key : {"invalid", "noncanonical"}) {
            for (const auto& v : c[key]) {
                GrammarMatcher m(g, nullptr);
                std::string text = v[0].get<std::string>();
                long at = v[1].get<long>();
                long got = first_rejected(m, text);
                EXPECT_EQ(got, at) << key << ": " << text;
                if (at == -1) {
                    EXPECT_FALSE(m.can_end()) << text;
                }
                ++checked;
            }
        }
    }
    EXPECT_GE(checked, 150u);
}

// Every prefix of a valid string is accepted and can be completed, so a prefix never dead-ends.
TEST(GrammarCases, RollbackRestoresEarlierStates) {
    auto g = compile_json_schema(json::parse(R"({"type":"array","items":{"type":"integer"}})"), {});
    GrammarMatcher m(g, nullptr);
    ASSERT_TRUE(m.accept_bytes("[1"));
    ASSERT_TRUE(m.accept_bytes(",2"));
    ASSERT_TRUE(m.accept_bytes("]"));
    EXPECT_TRUE(m.can_end());
    EXPECT_TRUE(m.rollback(2));
    EXPECT_FALSE(m.can_end());
    EXPECT_FALSE(m.accept_bytes("x"));
    EXPECT_TRUE(m.accept_bytes("3]"));
    EXPECT_TRUE(m.can_end());
    EXPECT_FALSE(m.rollback(5));
    m.reset();
    EXPECT_EQ(m.accepted_count(), 0u);
    EXPECT_TRUE(m.accept_bytes("[]"));
}

}  // namespace
}  // namespace hy::grammar
