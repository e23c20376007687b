// `hyserve bench`: offline prefill and decode throughput of the forward pass (issue 10), the
// counterpart of llama.cpp's `llama-bench -p 512 -n 128`. Each repeat prefills a fresh sequence with a
// P-token prompt in one forward call, then decodes N tokens one call each; the figures are medians
// over the repeats. Decode bandwidth = weight bytes per decoded token (model/weight_traffic.h) × tok/s,
// compared with a read bandwidth measured in the same process before and after the timed runs
// (--measure-bandwidth; the better of the two, as STREAM reports its best trial).
// --batch B (issue 6) prefills B sequences, each with its own prompt in its own call, then decodes N
// steps in which one forward call carries one new token of every sequence, as the engine's decode
// steps do: decode tok/s is then the aggregate B·N / time, and the step time is reported too.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "cli/bench_stats.h"
#include "cli/commands.h"
#include "core/error.h"
#include "core/huge_pages.h"
#include "core/mapped_file.h"
#include "core/thread_pool.h"
#include "kernels/isa.h"
#include "kernels/mem_bandwidth.h"
#include "model/forward.h"
#include "model/weight_traffic.h"

namespace hy::cli {

namespace {

struct BenchOptions {
    std::string model;
    int prompt = 512;
    int gen = 128;
    int threads = 0;
    int repeats = 3;
    int batch = 1;
    bool json = false;
    bool bandwidth = false;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Deterministic token ids spread over the vocabulary (like llama-bench's random tokens: the content
// does not change the work, except which experts are routed to).
std::vector<int32_t> bench_tokens(int64_t n, int64_t vocab, uint64_t seed) {
    std::vector<int32_t> t(static_cast<size_t>(n));
    uint64_t s = seed * 0x9e3779b97f4a7c15ull + 1;
    for (auto& x : t) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        x = static_cast<int32_t>((s >> 33) % static_cast<uint64_t>(vocab));
    }
    return t;
}

void run_bench(const BenchOptions& o) {
    if (o.prompt < 1 || o.gen < 0 || o.repeats < 1 || o.batch < 1)
        throw Error("bench: -p must be >= 1, -n >= 0, --repeats >= 1 and --batch >= 1");
    auto t0 = std::chrono::steady_clock::now();
    const ModelWeights w = load_model(o.model);
    const double load_s = seconds_since(t0);
    ThreadPool pool(o.threads);
    Forward fwd(w, pool);
    const int64_t V = w.lm_head.rows();
    const WeightTraffic traffic = weight_traffic(w);
    // How the weights are held (core/mapped_file.h): copied into 2 MiB pages by default, and how much of
    // the copy the kernel actually backs with huge pages (THP is advice).
    bool copied = !w.files.empty();
    int64_t huge_bytes = 0;
    for (const auto& f : w.files) {
        copied = copied && f->residency() == FileResidency::HUGE_PAGE_COPY;
        if (f->residency() == FileResidency::HUGE_PAGE_COPY)
            huge_bytes += std::max<int64_t>(0, anon_huge_bytes(f->data(), f->size()));
    }

    kernels::BandwidthResult bw;
    if (o.bandwidth) bw = kernels::measure_read_bandwidth(pool);

    // Sequence b's prompt and decode tokens (b = 0 keeps the seeds of the one-sequence bench).
    const size_t B = static_cast<size_t>(o.batch);
    std::vector<std::vector<int32_t>> prompt(B), gen(B);
    for (size_t b = 0; b < B; ++b) {
        prompt[b] = bench_tokens(o.prompt, V, 1 + 2 * b);
        gen[b] = bench_tokens(std::max(o.gen, 1), V, 2 + 2 * b);
    }
    std::vector<std::unique_ptr<LocalSequenceState>> seqs(B);
    std::vector<SequenceInput> in(B);
    auto prefill_all = [&] {
        for (size_t b = 0; b < B; ++b) {
            seqs[b] = fwd.new_sequence();
            in[b] = SequenceInput{seqs[b].get(), std::span<const int32_t>(prompt[b]), false};
            fwd.run(std::span<const SequenceInput>(&in[b], 1));
        }
    };
    auto decode_steps = [&](int n) {  // one call per step, one token of every sequence
        for (int i = 0; i < n; ++i) {
            for (size_t b = 0; b < B; ++b)
                in[b] = SequenceInput{seqs[b].get(),
                                      std::span<const int32_t>(&gen[b][static_cast<size_t>(i)], 1), false};
            fwd.run(std::span<const SequenceInput>(in));
        }
    };
    // Warm-up: page the mapped weights in and grow every scratch buffer once.
    prefill_all();
    decode_steps(std::min(o.gen, 4));
    std::vector<double> pre_s, dec_s;
    for (int r = 0; r < o.repeats; ++r) {
        t0 = std::chrono::steady_clock::now();
        prefill_all();
        pre_s.push_back(seconds_since(t0));
        if (o.gen > 0) {
            t0 = std::chrono::steady_clock::now();
            decode_steps(o.gen);
            dec_s.push_back(seconds_since(t0));
        }
    }
    if (o.bandwidth) {  // again after the timed runs, best of both: load on a shared machine drifts
        const kernels::BandwidthResult after = kernels::measure_read_bandwidth(pool);
        if (after.best_gb_s > bw.best_gb_s) bw = after;
    }
    std::vector<double> pre_rate, dec_rate;
    for (double s : pre_s) pre_rate.push_back(o.batch * o.prompt / s);
    for (double s : dec_s) dec_rate.push_back(o.batch * o.gen / s);
    const double prefill = median(pre_rate);
    const double decode = dec_rate.empty() ? 0.0 : median(dec_rate);
    // Per step at least one token's weights are read (with --batch, the union of the sequences'
    // experts: more), so for B > 1 this is a lower bound on the traffic.
    const double gb_s = decode / o.batch * static_cast<double>(traffic.decode_bytes_per_token) / 1e9;

    nlohmann::json j = {{"model", o.model},
                        {"threads", pool.size()},
                        {"isa", kernels::isa_name(kernels::kernels().isa)},
                        {"n_prompt", o.prompt},
                        {"n_gen", o.gen},
                        {"batch", o.batch},
                        {"decode_step_ms", decode > 0 ? 1e3 * o.batch / decode : 0.0},
                        {"repeats", o.repeats},
                        {"load_s", load_s},
                        {"weights_residency", copied ? "huge_page_copy" : "mapped"},
                        {"weights_huge_page_bytes", huge_bytes},
                        {"bf16_panel_bytes", w.bf16_panel_bytes},
                        {"prefill_tok_s", prefill},
                        {"decode_tok_s", decode},
                        {"prefill_tok_s_all", pre_rate},
                        {"decode_tok_s_all", dec_rate},
                        {"total_params", traffic.total_params},
                        {"active_params", traffic.active_params},
                        {"weight_bytes", traffic.total_bytes},
                        {"decode_bytes_per_token", traffic.decode_bytes_per_token},
                        {"decode_gb_s", gb_s},
                        {"loadavg", load_average()}};
    if (o.bandwidth) {
        j["bandwidth_gb_s"] = bw.best_gb_s;
        j["bandwidth_median_gb_s"] = bw.median_gb_s;
        j["bandwidth_fraction"] = gb_s / bw.best_gb_s;
    }
    if (o.json) {
        std::printf("%s\n", j.dump().c_str());
        return;
    }
    std::printf("model    %s (%.1fM params, %.2f GB of weights; loaded in %.2f s)\n", o.model.c_str(),
                traffic.total_params / 1e6, traffic.total_bytes / 1e9, load_s);
    std::printf("threads  %d, kernels %s, load average %s\n", pool.size(),
                kernels::isa_name(kernels::kernels().isa), load_average().c_str());
    if (w.bf16_panel_bytes > 0)
        std::printf("weights  %.1f MiB of BF16 matrices in 16-row panels (model/bf16_panels.h)\n",
                    static_cast<double>(w.bf16_panel_bytes) / (1 << 20));
    std::printf("prefill  pp%d: %8.1f tok/s (median of %d)\n", o.prompt, prefill, o.repeats);
    if (o.gen > 0 && o.batch > 1)
        std::printf("decode   tg%d x %d sequences: %8.2f tok/s aggregate (median of %d), %.3f ms per step\n",
                    o.gen, o.batch, decode, o.repeats, 1e3 * o.batch / decode);
    else if (o.gen > 0)
        std::printf("decode   tg%d: %8.2f tok/s (median of %d), %.1f MB of weights per token, %.1f GB/s\n",
                    o.gen, decode, o.repeats, traffic.decode_bytes_per_token / 1e6, gb_s);
    if (o.bandwidth)
        std::printf("memory   read bandwidth %.1f GB/s (best of %d; median %.1f): decode at %.0f%%\n",
                    bw.best_gb_s, bw.passes, bw.median_gb_s, 100.0 * gb_s / bw.best_gb_s);
}

}  // namespace

void register_bench(CLI::App& app) {
    auto o = std::make_shared<BenchOptions>();
    o->model = default_model_path();
    auto* cmd =
        app.add_subcommand("bench", "Prefill and decode throughput of the forward pass (like llama-bench)");
    cmd->add_option("--model", o->model, "Model path (HF directory, .safetensors or .gguf)");
    cmd->add_option("-p,--prompt", o->prompt, "Prompt tokens prefilled in one call (pp)");
    cmd->add_option("-n,--gen", o->gen, "Tokens decoded one call each (tg)");
    cmd->add_option("--threads", o->threads, "Threads (default: physical cores)");
    cmd->add_option("--repeats", o->repeats, "Repeats; figures are medians");
    cmd->add_option("--batch", o->batch,
                    "Sequences decoded together: each step is one forward call with one token of each "
                    "(decode tok/s is then the aggregate)");
    cmd->add_flag("--json", o->json, "Print one JSON object");
    cmd->add_flag("--measure-bandwidth", o->bandwidth,
                  "Measure read bandwidth and report decode's fraction of it");
    cmd->callback([o] { run_bench(*o); });
}

}  // namespace hy::cli
