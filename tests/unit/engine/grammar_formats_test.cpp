// Regex, choice and GBNF front ends (issue 9), and the 400s for unsupported input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "engine/grammar/grammar.h"
#include "engine/grammar/grammar_matcher.h"

namespace hy::grammar {
namespace {

using nlohmann::json;

bool full_match(const std::shared_ptr<const Grammar>& g, std::string_view text) {
    GrammarMatcher m(g, nullptr);
    for (size_t i = 0; i < text.size(); ++i)
        if (!m.accept_bytes(text.substr(i, 1))) return false;
    return m.can_end();
}

TEST(GrammarRegex, WholeStringSemantics) {
    auto g = compile_regex("[a-c]+(x|yz){2}\\d?");
    EXPECT_TRUE(full_match(g, "abxx"));
    EXPECT_TRUE(full_match(g, "cyzx7"));
    EXPECT_FALSE(full_match(g, "abx"));
    EXPECT_FALSE(full_match(g, "dxx"));
    EXPECT_FALSE(full_match(g, "axx12"));
    auto any = compile_regex("^.{2}$");
    EXPECT_TRUE(full_match(any, "é😀"));
    EXPECT_FALSE(full_match(any, "\n1"));
    EXPECT_FALSE(full_match(any, "\xC3"));  // half a character
    auto cls = compile_regex("[^a-z]*[\\w.-]");
    EXPECT_TRUE(full_match(cls, "ÄB9."));
    EXPECT_FALSE(full_match(cls, "ab"));
    auto lazy = compile_regex("a+?b*?");
    EXPECT_TRUE(full_match(lazy, "aab"));
}

TEST(GrammarRegex, RejectsUnsupportedSyntax) {
    for (const char* bad :
         {"(?=a)", "\\1", "a\\b", "\\p{L}", "a^", "(a", "a)", "[a", "*a", "a{2,1}", "a{99999}"}) {
        try {
            compile_regex(bad);
            ADD_FAILURE() << bad;
        } catch (const Error& e) {
            EXPECT_EQ(e.http_status, 400) << bad;
        }
    }
}

TEST(GrammarRegex, DeepNestingIsAnErrorNotACrash) {
    EXPECT_THROW(compile_regex(std::string(100000, '(') + std::string(100000, ')')), Error);
    EXPECT_THROW(compile_gbnf("root ::= " + std::string(100000, '(') + "\"a\"" + std::string(100000, ')')),
                 Error);
    EXPECT_TRUE(full_match(compile_regex(std::string(50, '(') + "a" + std::string(50, ')')), "a"));
}

TEST(GrammarChoice, ExactlyTheChoices) {
    auto g = compile_choice({"yes", "no", "maybe so", "日本"});
    EXPECT_TRUE(full_match(g, "yes"));
    EXPECT_TRUE(full_match(g, "maybe so"));
    EXPECT_TRUE(full_match(g, "日本"));
    EXPECT_FALSE(full_match(g, "ye"));
    EXPECT_FALSE(full_match(g, "yess"));
    EXPECT_THROW(compile_choice({}), Error);
}

TEST(GrammarGbnf, LlamaCppSyntax) {
    auto g = compile_gbnf(R"G(# arithmetic
root   ::= expr
expr   ::= term (("+" | "-") term)*
term   ::= num | "(" expr ")"
num    ::= [1-9] [0-9]{0,2} | "0"
)G");
    EXPECT_TRUE(full_match(g, "1+(20-300)"));
    EXPECT_TRUE(full_match(g, "0"));
    EXPECT_FALSE(full_match(g, "01"));
    EXPECT_FALSE(full_match(g, "1000"));
    EXPECT_FALSE(full_match(g, "(1"));
    auto str = compile_gbnf("root ::= \"\\\"\" [^\"\\\\]* \"\\\"\" | [\\u00e9-\\u00ea]+ | .");
    EXPECT_TRUE(full_match(str, "\"abc\""));
    EXPECT_TRUE(full_match(str, "éêé"));
    EXPECT_TRUE(full_match(str, "😀"));
    EXPECT_FALSE(full_match(str, "\"a\"b"));
}

TEST(GrammarGbnf, Errors) {
    for (const char* bad :
         {"", "root ::= foo", "start ::= \"a\"", "root ::= \"a", "root ::= [a", "root ::= (\"a\"",
          "root ::= \"a\"\nroot ::= \"b\"", "root ::= root \"a\"", "root ::= x\nx ::= \"\"* x \"b\""}) {
        try {
            compile_gbnf(bad);
            ADD_FAILURE() << bad;
        } catch (const Error& e) {
            EXPECT_EQ(e.http_status, 400) << bad;
        }
    }
    // Right recursion is fine.
    EXPECT_TRUE(full_match(compile_gbnf("root ::= \"a\" root | \"b\""), "aaab"));
}

TEST(GrammarJsonSchema, UnsupportedFeaturesAre400NamingTheFeature) {
    const std::pair<const char*, const char*> cases[] = {
        {R"({"type":"object","patternProperties":{"a":{}}})", "patternProperties"},
        {R"({"not":{"type":"string"}})", "'not'"},
        {R"({"type":"integer","multipleOf":3})", "multipleOf"},
        {R"({"type":"string","format":"hostname"})", "hostname"},
        {R"({"type":"array","uniqueItems":true})", "uniqueItems"},
        {R"({"$ref":"#/$defs/missing"})", "does not exist"},
        {R"({"$ref":"http://example.com/s.json"})", "local references"},
        {R"({"type":"number","minimum":0.2,"maximum":0.8})", "rounded inwards"},
        {R"J({"type":"string","pattern":"(?!x)"})J", "lookaround"},
        {R"({"type":"string","minLength":5,"maxLength":2})", "minLength > maxLength"},
        {R"({"type":"frob"})", "unknown type"},
        {R"({"type":"array","minItems":99999})", "minItems"},
        {R"({"allOf":[{"type":"string"},{"type":"integer"}]})", "no type in common"},
        {R"({"$defs":{"a":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"})", "matches nothing"},
        {R"({"type":"object","properties":{"a":false},"required":["a"]})", "matches nothing"},
        {R"(5)", "object or a boolean"},
        {R"({"type":"object","required":["a"],"additionalProperties":false})",
         "forbidden by additionalProperties"},
    };
    for (auto [schema, needle] : cases) {
        try {
            compile_json_schema(json::parse(schema), {});
            ADD_FAILURE() << schema;
        } catch (const Error& e) {
            EXPECT_EQ(e.http_status, 400) << schema;
            EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << schema << " -> " << e.what();
        }
    }
    JsonSchemaOptions opt;
    opt.whitespace_pattern = "[ a]*";
    EXPECT_THROW(compile_json_schema(json::object(), opt), Error);
}

TEST(GrammarJsonSchema, JsonObjectIsAnyObject) {
    auto g = compile_json_object();
    EXPECT_TRUE(full_match(g, "{}"));
    EXPECT_TRUE(full_match(g, R"({"a":[1,{"b":null}],"c":"\u00e9","a":true})"));
    EXPECT_FALSE(full_match(g, "[]"));
    EXPECT_FALSE(full_match(g, "\"x\""));
    EXPECT_FALSE(full_match(g, "{\"a\":}"));
}

TEST(GrammarJsonSchema, NonStrictAllowsExtraKeys) {
    JsonSchemaOptions opt;
    opt.strict = false;
    auto g =
        compile_json_schema(json::parse(R"({"type":"object","properties":{"a":{"type":"integer"}}})"), opt);
    EXPECT_TRUE(full_match(g, R"({"a":1,"zz":[true]})"));
    auto strict =
        compile_json_schema(json::parse(R"({"type":"object","properties":{"a":{"type":"integer"}}})"), {});
    EXPECT_FALSE(full_match(strict, R"({"a":1,"zz":[true]})"));
}

}  // namespace
}  // namespace hy::grammar
