// `hyserve grammar-sample` (issue 9, verification): samples each schema of a file through the grammar
// matcher with random choices among the allowed tokens, several seeds each, and writes one JSON line
// per sample. tests/scripts/grammar_ajv.sh validates the output with ajv. This is the end-to-end test
// of structured outputs until the model path applies the mask.
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/error.h"
#include "engine/grammar/grammar.h"
#include "engine/grammar/grammar_matcher.h"
#include "engine/grammar/test_support.h"
#include "engine/grammar/token_vocabulary.h"

namespace hy::cli {

std::shared_ptr<const grammar::TokenVocabulary> load_grammar_vocabulary(const std::string& spec,
                                                                        const std::vector<std::string>& eos) {
    if (spec == "test") return grammar::make_test_vocabulary();
    return grammar::TokenVocabulary::from_hf_tokenizer_json(spec, eos);
}

void register_grammar_sample(CLI::App& app) {
    auto* cmd =
        app.add_subcommand("grammar-sample", "Sample JSON schemas through the grammar matcher at random");
    struct Opts {
        std::string schemas, vocab = "test", out = "-";
        std::vector<std::string> eos{"<|im_end|>", "<|endoftext|>"};
        uint64_t seeds = 3;
        size_t max_tokens = 4000, soft_limit = 200;
    };
    auto o = std::make_shared<Opts>();
    cmd->add_option("--schemas", o->schemas, "JSON file: an array of {\"name\", \"schema\"}")->required();
    cmd->add_option("--vocab", o->vocab,
                    "tokenizer.json (byte-level BPE) or 'test' for the synthetic vocabulary");
    cmd->add_option("--eos", o->eos, "EOS token strings of the tokenizer.json");
    cmd->add_option("--seeds", o->seeds, "samples per schema (seeds 1..N)");
    cmd->add_option("--max-tokens", o->max_tokens, "give up a sample after this many tokens");
    cmd->add_option("--soft-limit", o->soft_limit, "tokens after which closing tokens are preferred");
    cmd->add_option("--out", o->out, "output JSON lines file, '-' for stdout");
    cmd->callback([o] {
        std::ifstream in(o->schemas);
        if (!in) throw Error(o->schemas + ": cannot open");
        nlohmann::json list;
        try {
            list = nlohmann::json::parse(in);
        } catch (const nlohmann::json::exception& e) {
            throw Error(o->schemas + ": invalid JSON: " + e.what());
        }
        if (!list.is_array()) throw Error(o->schemas + ": expected an array of {name, schema}");
        auto vocab = load_grammar_vocabulary(o->vocab, o->eos);
        std::FILE* out = o->out == "-" ? stdout : std::fopen(o->out.c_str(), "w");
        if (!out) throw Error(o->out + ": cannot write");
        size_t unfinished = 0;
        for (const auto& entry : list) {
            if (!entry.is_object() || !entry.contains("schema"))
                throw Error(o->schemas + ": an entry has no \"schema\"");
            std::string name = entry.value("name", "");
            auto g = grammar::compile_json_schema(entry["schema"], {});
            for (uint64_t seed = 1; seed <= o->seeds; ++seed) {
                grammar::GrammarMatcher m(g, vocab);
                std::mt19937_64 rng(seed);
                auto r = grammar::sample_random(m, *vocab, rng, o->max_tokens, o->soft_limit);
                unfinished += !r.finished;
                nlohmann::json line = {{"name", name},
                                       {"seed", seed},
                                       {"finished", r.finished},
                                       {"tokens", r.tokens.size()},
                                       {"text", r.text}};
                std::string s = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
                std::fprintf(out, "%s\n", s.c_str());
            }
        }
        if (out != stdout) std::fclose(out);
        std::fprintf(stderr, "grammar-sample: %zu schemas x %llu seeds, %zu unfinished\n", list.size(),
                     static_cast<unsigned long long>(o->seeds), unfinished);
    });
}

}  // namespace hy::cli
