// structured_outputs.regex and structured_outputs.choice (issue 9): the same machinery as JSON.
#include "core/error.h"
#include "engine/grammar/grammar.h"
#include "engine/grammar/regex_compiler.h"

namespace hy::grammar {

std::shared_ptr<const Grammar> compile_regex(std::string_view pattern) {
    GrammarBuilder b;
    uint32_t root = b.declare("root");
    // The whole output must match, so ^ and $ are implied either way.
    auto re = compile_regex_expr(pattern, RegexMode::Raw, JsonSchemaOptions{}.max_repetition, "regex");
    b.define(root, std::move(re.expr));
    return b.build(root, "regex");
}

std::shared_ptr<const Grammar> compile_choice(const std::vector<std::string>& choices) {
    if (choices.empty()) throw Error("choice: the list of choices is empty");
    GrammarBuilder b;
    uint32_t root = b.declare("root");
    std::vector<Expr> alts;
    for (const auto& c : choices) alts.push_back(literal(c));
    b.define(root, alt(std::move(alts)));
    return b.build(root, "choice");
}

}  // namespace hy::grammar
