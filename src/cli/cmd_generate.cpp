// `hyserve generate`: prefill a prompt, then decode token by token, streaming the text to stdout
// (greedy at temperature 0, else softmax sampling with a seeded generator). --prompt text goes
// through the model's tokenizer; --prompt-tokens prints ids instead of text.
#include <cmath>
#include <cstdio>
#include <random>

#include "cli/commands.h"
#include "cli/token_list.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "model/forward.h"
#include "tokenizer/tokenizer.h"

namespace hy::cli {

namespace {

struct GenerateOptions {
    std::string model;
    std::string prompt;
    std::string prompt_tokens;
    int max_tokens = 16;
    double temperature = 0.0;
    uint64_t seed = 0;
    int threads = 0;
};

int32_t pick(const float* logits, int64_t V, double temperature, std::mt19937_64& rng) {
    int64_t best = 0;
    for (int64_t i = 1; i < V; ++i)
        if (logits[i] > logits[best]) best = i;
    if (temperature <= 0.0) return static_cast<int32_t>(best);
    // Inverse-CDF sampling of softmax(logits / T), computed relative to the max for stability.
    double sum = 0.0;
    for (int64_t i = 0; i < V; ++i) sum += std::exp((logits[i] - logits[best]) / temperature);
    double u = std::uniform_real_distribution<double>(0.0, sum)(rng);
    for (int64_t i = 0; i < V; ++i) {
        u -= std::exp((logits[i] - logits[best]) / temperature);
        if (u <= 0.0) return static_cast<int32_t>(i);
    }
    return static_cast<int32_t>(best);
}

void run_generate(const GenerateOptions& o) {
    if (o.prompt.empty() == o.prompt_tokens.empty())
        throw Error("generate: give exactly one of --prompt, --prompt-tokens");
    if (o.max_tokens < 0) throw Error("--max-tokens must be >= 0");
    std::shared_ptr<tok::Tokenizer> tokenizer;
    std::vector<int32_t> tokens;
    if (!o.prompt.empty()) {
        tokenizer = load_tokenizer(o.model);
        tokens = tokenizer->encode(o.prompt, true);
        if (tokens.empty())
            throw Error("generate: the prompt encodes to no tokens", 400, "invalid_request_error", "prompt");
    } else {
        for (int64_t t : parse_int_list(o.prompt_tokens, "--prompt-tokens")) {
            if (t < 0 || t > INT32_MAX)
                throw Error("--prompt-tokens: id " + std::to_string(t) + " out of range");
            tokens.push_back(static_cast<int32_t>(t));
        }
    }
    const ModelWeights w = load_model(o.model);
    ThreadPool pool(o.threads);
    Forward fwd(w, pool);
    auto seq = fwd.new_sequence();
    std::mt19937_64 rng(o.seed);
    std::vector<int32_t> feed = tokens, generated;
    std::string shown;  // text printed so far: print only what decoding the whole output adds
    for (int i = 0; i < o.max_tokens; ++i) {
        SequenceInput in{seq.get(), std::span<const int32_t>(feed), false};
        const ForwardOutput& out = fwd.run(std::span<const SequenceInput>(&in, 1));
        const int32_t next = pick(out.logits_row(0), out.n_vocab, o.temperature, rng);
        if (tokenizer) {
            generated.push_back(next);
            const std::string text = tokenizer->decode(generated, true);
            // A partial UTF-8 character decodes to U+FFFD until it completes: wait for it.
            if (text.size() > shown.size() && text.compare(0, shown.size(), shown) == 0 &&
                text.find("\xEF\xBF\xBD", shown.size()) == std::string::npos) {
                std::fwrite(text.data() + shown.size(), 1, text.size() - shown.size(), stdout);
                shown = text;
            }
        } else {
            std::printf(i == 0 ? "%d" : " %d", next);
        }
        std::fflush(stdout);
        feed.assign(1, next);
    }
    std::printf("\n");
}

}  // namespace

void register_generate(CLI::App& app) {
    auto o = std::make_shared<GenerateOptions>();
    o->model = default_model_path();
    auto* cmd = app.add_subcommand("generate", "Generate a continuation of a prompt, streamed to stdout");
    cmd->add_option("--model", o->model, "Model directory, .safetensors or .gguf file");
    cmd->add_option("--prompt", o->prompt, "Prompt text");
    cmd->add_option("--prompt-tokens", o->prompt_tokens, "Prompt as comma-separated token ids");
    cmd->add_option("--max-tokens", o->max_tokens, "Tokens to generate (default 16)");
    cmd->add_option("--temperature", o->temperature, "Sampling temperature; 0 = greedy (default)");
    cmd->add_option("--seed", o->seed, "Random seed for sampling");
    cmd->add_option("--threads", o->threads, "Worker threads (default: physical cores)");
    cmd->callback([o] { run_generate(*o); });
}

}  // namespace hy::cli
