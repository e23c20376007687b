#include <cstdio>
#include <exception>

#include "cli/commands.h"
#include "core/error.h"

namespace hy::cli {

std::string default_model_path() {
    return HYSERVE_DEFAULT_MODEL_DIR;
}

void register_version(CLI::App& app) {
    auto* cmd = app.add_subcommand("version", "Print the hyserve version");
    cmd->callback([] { std::printf("hyserve 0.1.0\n"); });
}

}  // namespace hy::cli

int main(int argc, char** argv) {
    CLI::App app{"hyserve: an inference server for NVIDIA Nemotron-H / Nemotron 3 models"};
    app.require_subcommand(1);
    hy::cli::register_version(app);
    hy::cli::register_inspect(app);
    hy::cli::register_make_test_model(app);
    hy::cli::register_train_tokenizer(app);
    hy::cli::register_convert(app);
    hy::cli::register_tokenize(app);
    hy::cli::register_detokenize(app);
    hy::cli::register_eval_logits(app);
    hy::cli::register_generate(app);
    hy::cli::register_render_template(app);
    hy::cli::register_render_chat(app);
    hy::cli::register_serve(app);
    hy::cli::register_grammar_sample(app);
    hy::cli::register_bench_grammar(app);
    hy::cli::register_bench(app);
    hy::cli::register_bench_serve(app);
    hy::cli::register_bench_attention(app);
    hy::cli::register_bench_bandwidth(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const hy::Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
