// `hyserve bench`: offline prefill and decode throughput of the forward pass (issue 10), the
// counterpart of llama.cpp's `llama-bench -p 512 -n 128`. Each repeat prefills a fresh sequence with a
// P-token prompt in one forward call, then decodes N tokens one call each; the figures are medians
// over the repeats. Decode bandwidth = weight bytes per decoded token (model/weight_traffic.h) × tok/s,
// compared with a read bandwidth measured in the same process before and after the timed runs
// (--measure-bandwidth; the better of the two, as STREAM reports its best trial).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

#include "cli/commands.h"
#include "core/error.h"
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
    bool json = false;
    bool bandwidth = false;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
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

std::string load_average() {
    std::ifstream f("/proc/loadavg");
    std::string a, b, c;
    f >> a >> b >> c;
    return a + " " + b + " " + c;
}

void run_bench(const BenchOptions& o) {
    if (o.prompt < 1 || o.gen < 0 || o.repeats < 1)
        throw Error("bench: -p must be >= 1, -n >= 0 and --repeats >= 1");
    auto t0 = std::chrono::steady_clock::now();
    const ModelWeights w = load_model(o.model);
    const double load_s = seconds_since(t0);
    ThreadPool pool(o.threads);
    Forward fwd(w, pool);
    const int64_t V = w.lm_head.rows();
    const WeightTraffic traffic = weight_traffic(w);

    kernels::BandwidthResult bw;
    if (o.bandwidth) bw = kernels::measure_read_bandwidth(pool);

    const std::vector<int32_t> prompt = bench_tokens(o.prompt, V, 1);
    const std::vector<int32_t> gen = bench_tokens(std::max(o.gen, 1), V, 2);
    auto decode_steps = [&](SequenceState* seq, int n) {
        for (int i = 0; i < n; ++i) {
            SequenceInput in{seq, std::span<const int32_t>(&gen[static_cast<size_t>(i)], 1), false};
            fwd.run(std::span<const SequenceInput>(&in, 1));
        }
    };
    // Warm-up: page the mapped weights in and grow every scratch buffer once.
    {
        auto seq = fwd.new_sequence();
        SequenceInput in{seq.get(), std::span<const int32_t>(prompt), false};
        fwd.run(std::span<const SequenceInput>(&in, 1));
        decode_steps(seq.get(), std::min(o.gen, 4));
    }
    std::vector<double> pre_s, dec_s;
    for (int r = 0; r < o.repeats; ++r) {
        auto seq = fwd.new_sequence();
        SequenceInput in{seq.get(), std::span<const int32_t>(prompt), false};
        t0 = std::chrono::steady_clock::now();
        fwd.run(std::span<const SequenceInput>(&in, 1));
        pre_s.push_back(seconds_since(t0));
        if (o.gen > 0) {
            t0 = std::chrono::steady_clock::now();
            decode_steps(seq.get(), o.gen);
            dec_s.push_back(seconds_since(t0));
        }
    }
    if (o.bandwidth) {  // again after the timed runs, best of both: load on a shared machine drifts
        const kernels::BandwidthResult after = kernels::measure_read_bandwidth(pool);
        if (after.best_gb_s > bw.best_gb_s) bw = after;
    }
    std::vector<double> pre_rate, dec_rate;
    for (double s : pre_s) pre_rate.push_back(o.prompt / s);
    for (double s : dec_s) dec_rate.push_back(o.gen / s);
    const double prefill = median(pre_rate);
    const double decode = dec_rate.empty() ? 0.0 : median(dec_rate);
    const double gb_s = decode * static_cast<double>(traffic.decode_bytes_per_token) / 1e9;

    nlohmann::json j = {{"model", o.model},
                        {"threads", pool.size()},
                        {"isa", kernels::isa_name(kernels::kernels().isa)},
                        {"n_prompt", o.prompt},
                        {"n_gen", o.gen},
                        {"repeats", o.repeats},
                        {"load_s", load_s},
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
    std::printf("prefill  pp%d: %8.1f tok/s (median of %d)\n", o.prompt, prefill, o.repeats);
    if (o.gen > 0)
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
    cmd->add_flag("--json", o->json, "Print one JSON object");
    cmd->add_flag("--measure-bandwidth", o->bandwidth,
                  "Measure read bandwidth and report decode's fraction of it");
    cmd->callback([o] { run_bench(*o); });
}

}  // namespace hy::cli
