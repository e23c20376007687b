// Each subcommand lives in its own cmd_<name>.cpp and registers itself on the root app.
// The callback runs the command; errors are thrown as hy::Error and reported by main().
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

namespace hy::tok {
class Tokenizer;
}

namespace hy::cli {

// The embedded default model, used by every command whose --model is not given.
std::string default_model_path();

void register_version(CLI::App& app);
void register_inspect(CLI::App& app);          // cmd_inspect.cpp
void register_make_test_model(CLI::App& app);  // cmd_make_test_model.cpp
void register_train_tokenizer(CLI::App& app);  // cmd_train_tokenizer.cpp
void register_convert(CLI::App& app);          // cmd_convert.cpp
void register_tokenize(CLI::App& app);         // cmd_tokenize.cpp
void register_detokenize(CLI::App& app);       // cmd_tokenize.cpp
// A tokenizer from tokenizer.json, a model directory (tokenizer.json or a .gguf in it) or a .gguf file.
std::shared_ptr<tok::Tokenizer> load_tokenizer(const std::string& path);  // cmd_tokenize.cpp
void register_eval_logits(CLI::App& app);                                 // cmd_eval_logits.cpp
void register_generate(CLI::App& app);                                    // cmd_generate.cpp
void register_render_template(CLI::App& app);                             // cmd_render_template.cpp
void register_render_chat(CLI::App& app);                                 // cmd_render_chat.cpp
void register_serve(CLI::App& app);                                       // cmd_serve.cpp
void register_grammar_sample(CLI::App& app);                              // cmd_grammar_sample.cpp
void register_bench_grammar(CLI::App& app);                               // cmd_bench_grammar.cpp
void register_bench(CLI::App& app);                                       // cmd_bench.cpp
void register_bench_serve(CLI::App& app);                                 // cmd_bench_serve.cpp
void register_bench_attention(CLI::App& app);                             // cmd_bench_attention.cpp
void register_bench_bandwidth(CLI::App& app);                             // cmd_bench_bandwidth.cpp

}  // namespace hy::cli
