// Structured outputs at the API edge (issue 9; spec/api.md §3.1): the request fields that ask for a
// constraint (response_format, structured_outputs, legacy guided_*) read into one OutputFormat, and
// the grammars compiled from it or from tool_choice required/named (§3.4), cached by their text.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "api/conversation.h"
#include "engine/grammar/grammar.h"
#include "engine/grammar/token_vocabulary.h"

namespace hy::api {

// At most one constraint from response_format / structured_outputs / guided_*; more than one, an
// unknown kind or a malformed value → 400 naming the field. TEXT when none is set.
OutputFormat read_output_format(const nlohmann::ordered_json& body);

// The grammar of a format (null for TEXT). A schema or grammar that cannot be compiled → 400 whose
// message names the field and the unsupported feature; never unconstrained output.
std::shared_ptr<const grammar::Grammar> compile_output_format(const OutputFormat& format);

// tool_choice NAMED: the function's parameter schema (the whole output is the call's arguments).
// REQUIRED: a JSON array of ≥ 1 {"name": <tool>, "parameters": <its schema>} (at most one item when
// parallel_tool_calls is false), as vLLM builds it (spec §3.4).
std::shared_ptr<const grammar::Grammar> compile_tool_choice(const ToolChoice& choice,
                                                            const nlohmann::ordered_json& tools,
                                                            bool parallel_tool_calls);

// The tokenizer's vocabulary as the grammar engine sees it, built once per tokenizer.
std::shared_ptr<const grammar::TokenVocabulary> grammar_vocabulary(const ServingContext& ctx);

}  // namespace hy::api
