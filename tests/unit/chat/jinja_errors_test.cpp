// Error reporting and resource limits: syntax errors carry line and column, runtime errors name
// the problem, and hostile templates fail cleanly instead of crashing or hanging.
#include <gtest/gtest.h>

#include <string>

#include "chat/jinja/template.h"

namespace {

using hy::jinja::Limits;
using hy::jinja::Template;

std::string error_of(const std::string& src,
                     const nlohmann::ordered_json& vars = nlohmann::ordered_json::object(),
                     Limits limits = {}) {
    try {
        Template(src).render(vars, limits);
    } catch (const hy::Error& e) {
        return e.what();
    }
    return "";
}

TEST(JinjaErrors, SyntaxErrorsHaveLineAndColumn) {
    EXPECT_EQ(error_of("line1\n  {% if %}"), "template:2:9: expected an expression, got '%}'");
    EXPECT_NE(error_of("{{ 1 + }}").find("template:1:"), std::string::npos);
    EXPECT_NE(error_of("ok\n\n{% for x in y %}").find("endfor"), std::string::npos);
    EXPECT_NE(error_of("{% frobnicate %}").find("unknown tag 'frobnicate'"), std::string::npos);
    EXPECT_NE(error_of("{{ 'unterminated }}").find("unterminated string"), std::string::npos);
    EXPECT_NE(error_of("{# never closed").find("comment"), std::string::npos);
}

TEST(JinjaErrors, RuntimeErrorsAreClear) {
    EXPECT_NE(error_of("{{ raise_exception('No system role allowed') }}").find("No system role allowed"),
              std::string::npos);
    EXPECT_NE(error_of("{{ x|frob }}").find("no filter named 'frob'"), std::string::npos);
    EXPECT_NE(error_of("{{ x is frob }}").find("no test named 'frob'"), std::string::npos);
    EXPECT_NE(error_of("{{ 1 + 'a' }}").find("unsupported operand"), std::string::npos);
    EXPECT_NE(error_of("\n{{ missing.attr }}").find("(template line 2)"), std::string::npos);
    EXPECT_NE(error_of("{{ [].append(1) }}").find("unsafe"), std::string::npos);
}

TEST(JinjaErrors, LimitsStopHostileTemplates) {
    // Unbounded recursion.
    EXPECT_NE(error_of("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}").find("recursion"),
              std::string::npos);
    // Exponential output.
    Limits small;
    small.max_output = 1 << 20;
    EXPECT_NE(error_of("{% set s = 'x' * 1000 %}{% for i in range(100000) %}{{ s }}{% endfor %}", {}, small)
                  .find("output exceeds"),
              std::string::npos);
    EXPECT_NE(error_of("{{ 'ab' * 100000000000 }}").find("exceeds"), std::string::npos);
    // Too much work (a smaller budget than the default keeps the test fast).
    Limits few_steps;
    few_steps.max_steps = 1'000'000;
    EXPECT_NE(error_of("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", {},
                       few_steps)
                  .find("work limit"),
              std::string::npos);
    EXPECT_NE(error_of("{{ range(1000000000) }}").find("Range too big"), std::string::npos);
    // Deep nesting is rejected by the parser, not by a stack overflow.
    EXPECT_NE(
        error_of("{{ " + std::string(5000, '(') + "1" + std::string(5000, ')') + " }}").find("too deep"),
        std::string::npos);
    EXPECT_NE(error_of("{{ " + std::string(5000, '[') + std::string(5000, ']') + " }}").find("too deep"),
              std::string::npos);
    std::string ifs;
    for (int i = 0; i < 3000; ++i) ifs += "{% if true %}";
    EXPECT_NE(error_of(ifs).find("too deep"), std::string::npos);
    EXPECT_EQ(error_of("{{ 9223372036854775807 + 1 }}"),
              "template error: integer overflow (template line 1)");
}

TEST(JinjaErrors, GarbageNeverCrashes) {
    const char* inputs[] = {"{{",
                            "{%",
                            "{#",
                            "}}",
                            "{{ }}",
                            "{% %}",
                            "{{ a. }}",
                            "{{ a[ }}",
                            "{{ (1, }}",
                            "{% for %}",
                            "{% set %}",
                            "{% macro %}",
                            "{% endif %}",
                            "{{ 'a' ~ }}",
                            "{{ x | }}",
                            "{{ {'a' 1} }}",
                            "{% raw %}",
                            "{{ 1 if }}",
                            "{% call %}",
                            "{{ '\\x' }}",
                            "\xff\xfe{{ '\xc3' }}"};
    for (const char* in : inputs) {
        try {
            Template(in).render(nlohmann::ordered_json::object());
        } catch (const hy::Error&) {
        }
    }
    SUCCEED();
}

}  // namespace
