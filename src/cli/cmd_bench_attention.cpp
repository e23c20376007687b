// `hyserve bench-attention`: throughput of one attention layer's kernel (issue 6: long-context prefill)
// for T query rows at the end of a C-token context, on a given GQA shape (default: the `small` test
// model, 8 query heads, 2 KV heads, head_dim 32), K/V in pages of --block-size tokens stored as
// --kv-cache-dtype. Compares the tiled kernel the model uses (kernels::attention_batch) with the
// one-row-per-pass kernel it replaced (attention_head per row and head, parallel over rows × heads as
// the layer used to run it; fp32 K/V only). Old and new alternate within each repeat, so a machine
// shared with other work loads both alike; figures are medians.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

#include "cli/bench_stats.h"
#include "cli/commands.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "engine/cache_options.h"
#include "kernels/attention.h"
#include "kernels/isa.h"
#include "kernels/kv_convert.h"

namespace hy::cli {

namespace {

struct Options {
    int64_t context = 8192, queries = 320, hq = 8, hkv = 2, head_dim = 32, block = 64;
    int64_t page_gap = 1;  // page p starts p x page_gap pages in (1: side by side)
    int threads = 0, repeats = 5;
    std::string kv_dtype = "auto";
    bool skip_old = false, json = false;
};

void run(const Options& o) {
    if (o.context < 1 || o.queries < 1 || o.queries > o.context || o.hkv < 1 || o.hq % o.hkv != 0 ||
        o.head_dim < 1 || o.block < 1 || o.repeats < 1 || o.page_gap < 1)
        throw Error(
            "bench-attention: need 1 <= --queries <= --context, --heads a multiple of --kv-heads, "
            "positive --head-dim, --block-size, --page-gap and --repeats");
    const kernels::KvDtype dt = parse_kv_cache_dtype(o.kv_dtype);
    const int64_t C = o.context, T = o.queries, Hq = o.hq, Hkv = o.hkv, dh = o.head_dim, row = Hkv * dh;
    const int64_t rb = kernels::kv_row_bytes(dt, Hkv, dh), pages = (C + o.block - 1) / o.block;
    ThreadPool pool(o.threads);

    std::mt19937 rng(1);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    // Token t's row sits in page t / block at slot t % block; pages lie page_gap pages apart.
    const int64_t stride = o.page_gap * o.block;  // tokens from one page's start to the next's
    std::vector<float> kf(static_cast<size_t>(pages * stride * row)), vf(kf.size()),
        tmp(static_cast<size_t>(row));
    std::vector<uint8_t> kb(static_cast<size_t>(pages * stride * rb)), vb(kb.size());
    for (int64_t t = 0; t < C; ++t) {
        const int64_t slot = t / o.block * stride + t % o.block;
        for (int kv = 0; kv < 2; ++kv) {
            for (auto& x : tmp) x = nd(rng);
            std::copy(tmp.begin(), tmp.end(), (kv ? vf : kf).begin() + slot * row);
            kernels::encode_kv_row(dt, tmp.data(), Hkv, dh, (kv ? vb : kb).data() + slot * rb);
        }
    }
    std::vector<const float*> kfp, vfp;
    std::vector<const uint8_t*> kbp, vbp;
    for (int64_t p = 0; p < pages; ++p) {
        kfp.push_back(kf.data() + p * stride * row), vfp.push_back(vf.data() + p * stride * row);
        kbp.push_back(kb.data() + p * stride * rb), vbp.push_back(vb.data() + p * stride * rb);
    }
    kernels::KvView kv{kfp.data(), vfp.data(), o.block, row};
    kv.dtype = dt, kv.k_bytes = kbp.data(), kv.v_bytes = vbp.data(), kv.row_bytes = rb;
    std::vector<float> q(static_cast<size_t>(T * Hq * dh)), out_new(q.size()), out_old(q.size());
    for (auto& x : q) x = nd(rng);
    const int64_t pos0 = C - T;

    auto time_it = [](auto&& f) {
        const auto t0 = std::chrono::steady_clock::now();
        f();
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };
    auto run_new = [&] {
        const kernels::AttnSeq s{q.data(), out_new.data(), T, pos0, kv};
        kernels::attention_batch(std::span<const kernels::AttnSeq>(&s, 1), Hq, Hkv, dh, pool);
    };
    auto run_old = [&] {
        pool.parallel_for(T * Hq, 1, [&](int64_t b, int64_t e, int) {
            thread_local std::vector<float> scores;
            scores.resize(static_cast<size_t>(C));
            for (int64_t i = b; i < e; ++i) {
                const int64_t r = i / Hq, h = i % Hq;
                kernels::attention_head(q.data() + r * Hq * dh, h, Hq, Hkv, dh, kv, pos0 + r + 1,
                                        scores.data(), out_old.data() + r * Hq * dh + h * dh);
            }
        });
    };
    const bool old = !o.skip_old && dt == kernels::KvDtype::F32;
    std::vector<double> t_new, t_old;
    const std::string load_before = load_average();
    for (int i = 0; i < o.repeats; ++i) {
        t_new.push_back(time_it(run_new));
        if (old) t_old.push_back(time_it(run_old));
    }
    double rel = 0.0;
    if (old) {
        double num = 0, den = 0;
        for (size_t i = 0; i < q.size(); ++i)
            num += (out_new[i] - out_old[i]) * static_cast<double>(out_new[i] - out_old[i]),
                den += out_old[i] * static_cast<double>(out_old[i]);
        rel = std::sqrt(num / den);
    }
    const double mn = median(t_new), mo = old ? median(t_old) : 0.0;
    nlohmann::json j = {{"context", C},
                        {"queries", T},
                        {"heads", Hq},
                        {"kv_heads", Hkv},
                        {"head_dim", dh},
                        {"kv_cache_dtype", kv_cache_dtype_name(dt)},
                        {"block_size", o.block},
                        {"page_gap", o.page_gap},
                        {"threads", pool.size()},
                        {"isa", kernels::isa_name(kernels::best_isa())},
                        {"repeats", o.repeats},
                        {"new_ms", mn * 1e3},
                        {"new_tok_s", static_cast<double>(T) / mn},
                        {"load_average", load_before + " / " + load_average()}};
    if (old) {
        j["old_ms"] = mo * 1e3;
        j["old_tok_s"] = static_cast<double>(T) / mo;
        j["speedup"] = mo / mn;
        j["rel_l2_new_vs_old"] = rel;
    }
    if (o.json) {
        std::printf("%s\n", j.dump().c_str());
        return;
    }
    std::printf(
        "attention: %lld queries at context %lld, Hq %lld, Hkv %lld, dh %lld, K/V %s, %d threads, %s\n",
        static_cast<long long>(T), static_cast<long long>(C), static_cast<long long>(Hq),
        static_cast<long long>(Hkv), static_cast<long long>(dh), kv_cache_dtype_name(dt), pool.size(),
        kernels::isa_name(kernels::best_isa()));
    std::printf("  tiled (new):   %9.2f ms  %10.1f tok/s\n", mn * 1e3, static_cast<double>(T) / mn);
    if (old)
        std::printf("  one-row (old): %9.2f ms  %10.1f tok/s   speedup %.2fx, rel. L2 new vs old %.2e\n",
                    mo * 1e3, static_cast<double>(T) / mo, mo / mn, rel);
    std::printf("  load average %s\n", j["load_average"].get<std::string>().c_str());
}

}  // namespace

void register_bench_attention(CLI::App& app) {
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand(
        "bench-attention", "Attention kernel throughput for T queries at context C: tiled vs one-row kernel");
    cmd->add_option("-c,--context", o->context, "Context length C (the last query's position + 1)");
    cmd->add_option("-t,--queries", o->queries,
                    "Query rows T at positions C-T .. C-1 (T = C: a full causal prefill)");
    cmd->add_option("--heads", o->hq, "Query heads");
    cmd->add_option("--kv-heads", o->hkv, "KV heads");
    cmd->add_option("--head-dim", o->head_dim, "Head dimension");
    cmd->add_option("--block-size", o->block, "Tokens per K/V page");
    cmd->add_option("--page-gap", o->page_gap,
                    "Pages from one K/V page's start to the next's (1: side by side; a block-major pool "
                    "with L attention layers spaces one layer's pages 2L apart)");
    cmd->add_option("--kv-cache-dtype", o->kv_dtype, "auto (float32), bfloat16 or fp8");
    cmd->add_option("--threads", o->threads, "Threads (default: physical cores)");
    cmd->add_option("--repeats", o->repeats, "Repeats; figures are medians");
    cmd->add_flag("--skip-old", o->skip_old, "Time only the tiled kernel");
    cmd->add_flag("--json", o->json, "Print one JSON object");
    cmd->callback([o] { run(*o); });
}

}  // namespace hy::cli
