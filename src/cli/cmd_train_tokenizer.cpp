// `hyserve train-tokenizer TEXT OUTDIR`: the project's own byte-level BPE trainer (tokenizer/bpe_trainer)
// on a text file, written as the tokenizer side of a HF model directory (tokenizer.json,
// tokenizer_config.json with the Nemotron 3 chat template, generation_config.json). The trained default
// model (issue 11, tools/train/) gets its tokenizer this way.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "cli/model_tokenizer.h"
#include "core/error.h"
#include "tokenizer/bpe_trainer.h"

namespace hy::cli {

namespace {

struct Options {
    std::string text_path;
    std::string outdir;
    int vocab_size = 4096;
    std::string regex;
    int64_t max_positions = 8192;
};

void write_text(const std::filesystem::path& p, const std::string& text) {
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f) throw Error(p.string() + ": cannot write");
}

void run(const Options& o) {
    const auto t0 = std::chrono::steady_clock::now();
    std::ifstream f(o.text_path, std::ios::binary);
    if (!f) throw Error(o.text_path + ": cannot open");
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string text = ss.str();
    const std::string& regex = o.regex.empty() ? tok::default_pretokenizer_regex() : o.regex;
    const TestModelTokenizer t = make_model_tokenizer(text, o.vocab_size, regex, o.max_positions, {2, 11});
    std::filesystem::create_directories(o.outdir);
    const std::filesystem::path dir(o.outdir);
    write_text(dir / "tokenizer.json", t.tokenizer_json);
    write_text(dir / "tokenizer_config.json", t.tokenizer_config_json);
    write_text(dir / "generation_config.json", t.generation_config_json);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("trained %zu tokens (%zu merges) on %zu bytes in %.1f s -> %s\n", t.tokens.size(),
                t.merges.size(), text.size(), s, o.outdir.c_str());
}

}  // namespace

void register_train_tokenizer(CLI::App& app) {
    auto opts = std::make_shared<Options>();
    auto* cmd = app.add_subcommand(
        "train-tokenizer", "Train a byte-level BPE on a text file (Nemotron 3 special tokens and template)");
    cmd->add_option("text", opts->text_path, "UTF-8 training text")->required();
    cmd->add_option("outdir", opts->outdir, "Output directory (tokenizer.json, tokenizer_config.json, ...)")
        ->required();
    cmd->add_option("--vocab-size", opts->vocab_size,
                    "Target vocabulary size (specials + 256 bytes + merges)");
    cmd->add_option("--regex", opts->regex, "Pre-tokenizer split regex (default: the Llama-3-style pattern)");
    cmd->add_option("--max-positions", opts->max_positions, "model_max_length for tokenizer_config.json");
    cmd->callback([opts] { run(*opts); });
}

}  // namespace hy::cli
