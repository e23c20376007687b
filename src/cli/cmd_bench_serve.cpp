// `hyserve bench-serve`: drives a running server over HTTP like `vllm bench serve` with its random
// dataset (issue 6 "Verification"). For each --concurrency level it sends --num-prompts streaming
// /v1/completions requests (token-id prompts of exactly --input-len tokens, the first
// --shared-prefix-len of them shared by all, ignore_eos so every request yields --output-len tokens),
// keeps at most that many in flight, and reports what vLLM's benchmark reports: request and token
// throughput, TTFT, TPOT (per request: (latency - TTFT) / (output tokens - 1)) and ITL (gaps between
// streamed chunks), as mean / p50 / p99. It also reports the aggregate decode throughput that issue 6's
// 16-vs-1 target is about: concurrency × the mean per-request decode rate, a request's decode rate
// being (output tokens − 1) / (latency − TTFT) — unlike output tok/s, it leaves out the time the
// streams wait for prompts to be prefilled — and the decode throughput over the windows where all
// the level's streams decode at once (cli/decode_window.h), which does not move with how the
// arrivals fell. --prefix-ttft instead measures the TTFT of a prompt whose
// prefix is not cached (cold), of a second prompt with the same prefix (sibling), and of a third one
// after its prefix alone was served (warm: a next chat turn, issue 6's cached-prefix target).
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>
#include <vector>

#include "cli/bench_stats.h"
#include "cli/commands.h"
#include "cli/decode_window.h"
#include "cli/round_scaling.h"
#include "cli/sse_events.h"
#include "cli/stream_client.h"
#include "core/error.h"

namespace hy::cli {

namespace {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

struct Options {
    std::string url = "http://127.0.0.1:8000";
    std::string model;  // empty: the first of GET /v1/models
    std::string api_key;
    std::vector<int> concurrency = {1, 4, 16, 64};
    int input_len = 256;
    int output_len = 64;
    int shared_prefix_len = 0;
    int num_prompts = 0;  // per level; 0 = 2 × concurrency, at least 8
    int token_lo = 100, token_hi = 2000;
    int64_t seed = -1;  // -1: random (a fresh prefix, so an earlier run's cache does not help)
    double timeout_s = 900;
    bool json = false;
    bool prefix_ttft = false;
    int prefix_repeats = 1;  // --prefix-ttft rounds, each on a fresh prefix; medians are reported
    int rounds = 1;          // sweeps of every level; ratios to one stream are taken per round
    bool no_warmup = false;
    bool threaded_client = true;  // --client threads (default): a thread and httplib client per stream
};

struct RequestResult {
    bool ok = false;
    std::string error;
    double ttft = 0, latency = 0;
    std::vector<double> itl;
    std::vector<Clock::time_point> token_at;  // arrival of each streamed token
    int64_t prompt_tokens = 0, output_tokens = 0, cached_tokens = -1;
};

double since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// numpy.percentile's default (linear interpolation between closest ranks).
double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const double pos = p / 100.0 * static_cast<double>(v.size() - 1);
    const size_t lo = static_cast<size_t>(pos);
    const size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

double mean(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return v.empty() ? 0.0 : s / static_cast<double>(v.size());
}

struct Target {
    std::string scheme_host_port;
    std::string base_path;  // "" or "/prefix"
    std::string host;       // without brackets for an IPv6 literal
    int port = 80;
};

Target parse_url(const std::string& url) {
    const size_t scheme = url.find("://");
    if (scheme == std::string::npos || url.compare(0, scheme, "http") != 0)
        throw Error("--url must look like http://HOST:PORT (got \"" + url + "\")", 400);
    const size_t path = url.find('/', scheme + 3);
    Target t;
    t.scheme_host_port = url.substr(0, path);
    t.base_path = path == std::string::npos ? "" : url.substr(path);
    while (!t.base_path.empty() && t.base_path.back() == '/') t.base_path.pop_back();
    const std::string hp = t.scheme_host_port.substr(scheme + 3);
    const size_t colon = hp.rfind(':');
    const bool has_port = colon != std::string::npos && hp.find(']', colon) == std::string::npos;
    t.host = has_port ? hp.substr(0, colon) : hp;
    if (has_port) {
        const std::string port = hp.substr(colon + 1);
        if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
            throw Error("--url must look like http://HOST:PORT (got \"" + url + "\")", 400);
        t.port = std::stoi(port);
    }
    if (t.host.size() >= 2 && t.host.front() == '[') t.host = t.host.substr(1, t.host.size() - 2);  // [::1]
    return t;
}

// One SSE event of a streamed completion: a token's arrival, or the usage counts of the final chunk.
void record_event(RequestResult& r, std::string_view data, Clock::time_point at) {
    const EventShape shape = event_shape(data);
    if (shape.done) return;
    if (shape.has_usage) {  // the final chunk (or every chunk with continuous usage stats)
        const Json ev = Json::parse(data, nullptr, false);
        if (!ev.is_discarded() && ev.contains("usage") && ev["usage"].is_object()) {
            const Json& u = ev["usage"];
            r.prompt_tokens = u.value("prompt_tokens", int64_t{0});
            r.output_tokens = u.value("completion_tokens", int64_t{0});
            if (u.contains("prompt_tokens_details") && u["prompt_tokens_details"].is_object())
                r.cached_tokens = u["prompt_tokens_details"].value("cached_tokens", int64_t{-1});
        }
    }
    if (shape.has_choice) r.token_at.push_back(at);
}

// The timings of a request whose 200 response ended at `end`, sent at t0.
void finish_result(RequestResult& r, Clock::time_point t0, Clock::time_point end, size_t prompt_len) {
    r.latency = std::chrono::duration<double>(end - t0).count();
    const auto chunks = static_cast<int64_t>(r.token_at.size());
    if (chunks > 0) r.ttft = std::chrono::duration<double>(r.token_at.front() - t0).count();
    for (size_t i = 1; i < r.token_at.size(); ++i)
        r.itl.push_back(std::chrono::duration<double>(r.token_at[i] - r.token_at[i - 1]).count());
    if (r.output_tokens == 0) r.output_tokens = chunks;
    if (r.prompt_tokens == 0) r.prompt_tokens = static_cast<int64_t>(prompt_len);
    r.ok = chunks > 0;
    if (!r.ok) r.error = "no tokens streamed";
}

class Bench {
  public:
    explicit Bench(Options o) : o_(std::move(o)), target_(parse_url(o_.url)) {
        if (o_.seed < 0) o_.seed = static_cast<int64_t>(std::random_device{}() & 0x7fffffff);
        rng_.seed(static_cast<uint64_t>(o_.seed));
    }

    void resolve_model() {
        if (!o_.model.empty()) return;
        httplib::Client cli(target_.scheme_host_port);
        cli.set_read_timeout(30, 0);
        auto res = cli.Get(target_.base_path + "/v1/models", headers());
        if (!res || res->status != 200)
            throw Error("GET " + o_.url + "/v1/models failed" +
                        (res ? " (" + std::to_string(res->status) + ")" : " (no connection)"));
        o_.model = Json::parse(res->body).at("data").at(0).at("id").get<std::string>();
    }

    std::vector<int32_t> random_tokens(int n) {
        std::uniform_int_distribution<int32_t> d(o_.token_lo, o_.token_hi - 1);
        std::vector<int32_t> t(static_cast<size_t>(std::max(n, 0)));
        for (auto& x : t) x = d(rng_);
        return t;
    }

    // --num-prompts prompts of input_len tokens sharing one fresh prefix.
    std::vector<std::vector<int32_t>> make_prompts(int n) {
        const int shared = std::min(o_.shared_prefix_len, o_.input_len);
        const std::vector<int32_t> prefix = random_tokens(shared);
        std::vector<std::vector<int32_t>> out;
        for (int i = 0; i < n; ++i) {
            std::vector<int32_t> p = prefix;
            const std::vector<int32_t> rest = random_tokens(o_.input_len - shared);
            p.insert(p.end(), rest.begin(), rest.end());
            out.push_back(std::move(p));
        }
        return out;
    }

    std::string request_body(const std::vector<int32_t>& prompt, int max_tokens) const {
        return Json{{"model", o_.model},
                    {"prompt", prompt},
                    {"max_tokens", max_tokens},
                    {"temperature", 0.0},
                    {"ignore_eos", true},
                    {"stream", true},
                    {"stream_options", {{"include_usage", true}}}}
            .dump();
    }

    RequestResult send(httplib::Client& cli, const std::vector<int32_t>& prompt, int max_tokens) const {
        RequestResult r;
        httplib::Request req;
        req.method = "POST";
        req.path = target_.base_path + "/v1/completions";
        req.headers = headers();
        req.set_header("Content-Type", "application/json");
        req.body = request_body(prompt, max_tokens);
        std::string raw;
        SseSplitter events;
        const auto t0 = Clock::now();
        req.content_receiver = [&](const char* data, size_t len, uint64_t, uint64_t) {
            if (raw.size() < 2000) raw.append(data, std::min<size_t>(len, 2000));
            events.feed(data, len, [&](std::string_view ev) { record_event(r, ev, Clock::now()); });
            return true;
        };
        httplib::Response res;
        httplib::Error err = httplib::Error::Success;
        if (!cli.send(req, res, err)) {
            r.error = "request failed: " + httplib::to_string(err);
            return r;
        }
        const auto end = Clock::now();
        if (res.status != 200) {
            r.error =
                "HTTP " + std::to_string(res.status) + ": " + (raw.empty() ? res.body : raw).substr(0, 300);
            return r;
        }
        finish_result(r, t0, end, prompt.size());
        return r;
    }

    // All of a level's requests from one thread over an epoll loop (cli/stream_client.h).
    std::vector<RequestResult> send_all_looped(const std::vector<std::vector<int32_t>>& prompts,
                                               int concurrency) const {
        std::vector<RequestResult> results(prompts.size());
        std::vector<std::string> bodies;
        for (const auto& p : prompts) bodies.push_back(request_body(p, o_.output_len));
        StreamCallbacks cb;
        cb.on_data = [&](size_t i, std::string_view data, StreamClock::time_point at) {
            record_event(results[i], data, at);
        };
        cb.on_finish = [&](size_t i, const StreamOutcome& out, StreamClock::time_point at) {
            RequestResult& r = results[i];
            if (!out.error.empty())
                r.error = "request failed: " + out.error;
            else if (out.status != 200)
                r.error = "HTTP " + std::to_string(out.status) + ": " + out.body_head;
            else
                finish_result(r, out.started, at, prompts[i].size());
        };
        run_streams(stream_target(), target_.base_path + "/v1/completions", bodies, concurrency, cb);
        return results;
    }

    // One thread per stream, each with an httplib client (--client threads, the default).
    std::vector<RequestResult> send_all_threaded(const std::vector<std::vector<int32_t>>& prompts,
                                                 int concurrency) const {
        std::vector<RequestResult> results(prompts.size());
        std::atomic<size_t> next{0};
        std::vector<std::thread> workers;
        for (int w = 0; w < std::min(concurrency, static_cast<int>(prompts.size())); ++w)
            workers.emplace_back([&] {
                auto cli = client();
                for (size_t i; (i = next.fetch_add(1)) < prompts.size();)
                    results[i] = send(*cli, prompts[i], o_.output_len);
            });
        for (auto& t : workers) t.join();
        return results;
    }

    std::unique_ptr<httplib::Client> client() const {
        auto cli = std::make_unique<httplib::Client>(target_.scheme_host_port);
        const auto secs = static_cast<time_t>(o_.timeout_s);
        cli->set_read_timeout(secs, 0);
        cli->set_write_timeout(secs, 0);
        cli->set_keep_alive(true);
        cli->set_tcp_nodelay(true);
        return cli;
    }

    StreamTarget stream_target() const {
        StreamTarget t{target_.host, target_.port, {}, o_.timeout_s};
        for (const auto& [k, v] : headers()) t.headers.emplace_back(k, v);
        return t;
    }

    Json run_level(int concurrency) {
        const int n = o_.num_prompts > 0 ? o_.num_prompts : std::max(2 * concurrency, 8);
        const auto prompts = make_prompts(n);
        const auto t0 = Clock::now();
        const std::vector<RequestResult> results = o_.threaded_client
                                                       ? send_all_threaded(prompts, concurrency)
                                                       : send_all_looped(prompts, concurrency);
        const double duration = since(t0);

        std::vector<double> ttft, tpot, itl, e2e, decode_rate;
        std::vector<std::vector<double>> token_times;  // seconds since the level started
        int64_t in_tok = 0, out_tok = 0, failed = 0;
        std::string first_error;
        for (const auto& r : results) {
            if (!r.ok) {
                if (first_error.empty()) first_error = r.error;
                ++failed;
                continue;
            }
            in_tok += r.prompt_tokens;
            out_tok += r.output_tokens;
            ttft.push_back(r.ttft * 1e3);
            e2e.push_back(r.latency * 1e3);
            if (r.output_tokens > 1) {
                tpot.push_back((r.latency - r.ttft) * 1e3 / static_cast<double>(r.output_tokens - 1));
                if (r.latency > r.ttft)
                    decode_rate.push_back(static_cast<double>(r.output_tokens - 1) / (r.latency - r.ttft));
            }
            for (double g : r.itl) itl.push_back(g * 1e3);
            auto& t = token_times.emplace_back();
            for (const auto& at : r.token_at) t.push_back(std::chrono::duration<double>(at - t0).count());
        }
        const DecodeWindow full = full_width_decode(token_times, std::min(concurrency, n));
        auto stat = [](const std::vector<double>& v) {
            return Json{{"mean", mean(v)}, {"p50", percentile(v, 50)}, {"p99", percentile(v, 99)}};
        };
        Json j = {{"concurrency", concurrency},
                  {"num_prompts", n},
                  {"completed", n - failed},
                  {"failed", failed},
                  {"duration_s", duration},
                  {"total_input_tokens", in_tok},
                  {"total_output_tokens", out_tok},
                  {"request_throughput", static_cast<double>(n - failed) / duration},
                  {"output_throughput", static_cast<double>(out_tok) / duration},
                  {"total_token_throughput", static_cast<double>(in_tok + out_tok) / duration},
                  {"ttft_ms", stat(ttft)},
                  {"tpot_ms", stat(tpot)},
                  {"itl_ms", stat(itl)},
                  {"e2el_ms", stat(e2e)},
                  {"decode_tok_s_per_stream", mean(decode_rate)},
                  {"aggregate_decode_throughput", concurrency * mean(decode_rate)},
                  {"full_width_decode_throughput", full.rate()},
                  {"full_width_decode_window_s", full.seconds}};
        if (!first_error.empty()) j["first_error"] = first_error;
        return j;
    }

    // TTFT of a prompt of input_len tokens (the prefix is fresh): cold (nothing cached); "sibling":
    // after another prompt with the same first shared_prefix_len tokens (the cache resumes at its last
    // snapshot inside them); "turn" (issue 6's case, warm_*): after the shared prefix itself was
    // served as a prompt, as a next chat turn extends the previous one (it resumes at its very end).
    // --prefix-repeats rounds, each on a fresh prefix: the top-level figures are medians (a ratio is
    // the median of the rounds' own ratios, each cold and warm taken a few seconds apart), the rounds
    // follow in `rounds`.
    Json run_prefix_ttft() {
        auto cli = client();
        std::vector<double> cold_ms, warm_ms, sibling_ms, warm_ratio, sibling_ratio;
        Json rounds = Json::array(), last;
        for (int round = 0; round < o_.prefix_repeats; ++round) {
            const auto prompts = make_prompts(3);
            const std::vector<int32_t> prefix(prompts[0].begin(), prompts[0].begin() + o_.shared_prefix_len);
            const RequestResult cold = send(*cli, prompts[0], o_.output_len);
            const RequestResult sibling = send(*cli, prompts[1], o_.output_len);
            const RequestResult turn1 = send(*cli, prefix, o_.output_len);
            const RequestResult warm = send(*cli, prompts[2], o_.output_len);
            for (const RequestResult* r : {&cold, &sibling, &turn1, &warm})
                if (!r->ok) throw Error("prefix TTFT probe failed: " + r->error);
            cold_ms.push_back(cold.ttft * 1e3);
            warm_ms.push_back(warm.ttft * 1e3);
            sibling_ms.push_back(sibling.ttft * 1e3);
            warm_ratio.push_back(warm.ttft / cold.ttft);
            sibling_ratio.push_back(sibling.ttft / cold.ttft);
            last = {{"cold_ttft_ms", cold_ms.back()},
                    {"warm_ttft_ms", warm_ms.back()},
                    {"warm_over_cold", warm_ratio.back()},
                    {"warm_cached_tokens", warm.cached_tokens},
                    {"sibling_ttft_ms", sibling_ms.back()},
                    {"sibling_over_cold", sibling_ratio.back()},
                    {"sibling_cached_tokens", sibling.cached_tokens}};
            rounds.push_back(last);
        }
        return {{"input_len", o_.input_len},
                {"shared_prefix_len", o_.shared_prefix_len},
                {"repeats", o_.prefix_repeats},
                {"cold_ttft_ms", median(cold_ms)},
                {"warm_ttft_ms", median(warm_ms)},
                {"warm_over_cold", median(warm_ratio)},
                {"warm_cached_tokens", last["warm_cached_tokens"]},
                {"sibling_ttft_ms", median(sibling_ms)},
                {"sibling_over_cold", median(sibling_ratio)},
                {"sibling_cached_tokens", last["sibling_cached_tokens"]},
                {"rounds", rounds}};
    }

    void warmup() {
        auto cli = client();
        const RequestResult r = send(*cli, random_tokens(std::min(o_.input_len, 16)), 2);
        if (!r.ok) throw Error("warm-up request failed: " + r.error);
    }

    const Options& options() const { return o_; }

  private:
    httplib::Headers headers() const {
        httplib::Headers h;
        if (!o_.api_key.empty()) h.emplace("Authorization", "Bearer " + o_.api_key);
        return h;
    }

    Options o_;
    Target target_;
    std::mt19937_64 rng_;
};

void print_level(const Json& j) {
    auto ms = [&](const char* k, const char* p) { return j.at(k).at(p).get<double>(); };
    std::printf("%5d %5d %5lld/%-5lld %8.2f %9.2f %9.2f %9.2f %9.2f %9.1f %9.1f %8.2f %8.2f %8.2f %8.2f\n",
                j["round"].get<int>(), j["concurrency"].get<int>(),
                static_cast<long long>(j["completed"].get<int64_t>()),
                static_cast<long long>(j["num_prompts"].get<int64_t>()), j["duration_s"].get<double>(),
                j["output_throughput"].get<double>(), j["total_token_throughput"].get<double>(),
                j["aggregate_decode_throughput"].get<double>(),
                j["full_width_decode_throughput"].get<double>(), ms("ttft_ms", "p50"), ms("ttft_ms", "p99"),
                ms("tpot_ms", "p50"), ms("tpot_ms", "p99"), ms("itl_ms", "p50"), ms("itl_ms", "p99"));
    if (j.contains("first_error"))
        std::printf("      first error: %s\n", j["first_error"].get<std::string>().c_str());
    std::fflush(stdout);
}

void run(const Options& opt) {
    if (opt.input_len < 1 || opt.output_len < 1)
        throw Error("--input-len and --output-len must be >= 1", 400);
    if (opt.shared_prefix_len < 0 || opt.shared_prefix_len > opt.input_len)
        throw Error("--shared-prefix-len must be between 0 and --input-len", 400);
    if (opt.prefix_ttft && opt.shared_prefix_len < 1)
        throw Error("--prefix-ttft needs --shared-prefix-len >= 1", 400);
    if (opt.prefix_repeats < 1) throw Error("--prefix-repeats must be >= 1", 400);
    if (opt.rounds < 1) throw Error("--rounds must be >= 1", 400);
    if (opt.token_lo < 0 || opt.token_hi <= opt.token_lo)
        throw Error("--token-range LO,HI needs 0 <= LO < HI", 400);
    Bench b(opt);
    b.resolve_model();
    const Options& o = b.options();
    Json report = {{"url", o.url},
                   {"model", o.model},
                   {"input_len", o.input_len},
                   {"output_len", o.output_len},
                   {"shared_prefix_len", o.shared_prefix_len},
                   {"seed", o.seed}};
    if (!o.no_warmup) b.warmup();
    if (o.prefix_ttft) {
        report["prefix_ttft"] = b.run_prefix_ttft();
        if (!o.json) {
            const Json& p = report["prefix_ttft"];
            std::printf(
                "prefix TTFT (median of %d): %d-token prompt, %d shared: cold %.1f ms; next turn of the "
                "%d-token prompt "
                "%.1f ms (%.2f%% of cold, cached tokens reported %lld); sibling of the cold prompt %.1f ms "
                "(%.2f%%, cached %lld)\n",
                o.prefix_repeats, o.input_len, o.shared_prefix_len, p["cold_ttft_ms"].get<double>(),
                o.shared_prefix_len, p["warm_ttft_ms"].get<double>(),
                100.0 * p["warm_over_cold"].get<double>(),
                static_cast<long long>(p["warm_cached_tokens"].get<int64_t>()),
                p["sibling_ttft_ms"].get<double>(), 100.0 * p["sibling_over_cold"].get<double>(),
                static_cast<long long>(p["sibling_cached_tokens"].get<int64_t>()));
        }
    } else {
        if (!o.json) {
            std::printf("bench-serve %s model=%s input=%d output=%d shared_prefix=%d\n", o.url.c_str(),
                        o.model.c_str(), o.input_len, o.output_len, o.shared_prefix_len);
            std::printf("%5s %5s %11s %8s %9s %9s %9s %9s %9s %9s %8s %8s %8s %8s\n", "round", "conc",
                        "done/total", "dur_s", "out_tok/s", "tot_tok/s", "dec_tok/s", "full_dec", "ttft_p50",
                        "ttft_p99", "tpot_p50", "tpot_p99", "itl_p50", "itl_p99");
        }
        report["results"] = Json::array();
        std::vector<LevelFigures> figures;
        for (int round = 0; round < o.rounds; ++round)
            for (int c : o.concurrency) {
                Json j = b.run_level(c);
                j["round"] = round;
                if (!o.json) print_level(j);
                figures.push_back({round, c, j["aggregate_decode_throughput"].get<double>(),
                                   j["full_width_decode_throughput"].get<double>()});
                report["results"].push_back(std::move(j));
            }
        if (!o.json) std::printf("(times in ms)\n");
        report["scaling"] = Json::array();
        for (const LevelScaling& sc : round_scaling(figures)) {
            report["scaling"].push_back({{"concurrency", sc.concurrency},
                                         {"aggregate_decode_vs_one", sc.aggregate},
                                         {"aggregate_decode_vs_one_median", sc.aggregate_median},
                                         {"full_width_decode_vs_one", sc.full_width},
                                         {"full_width_decode_vs_one_median", sc.full_width_median}});
            if (!o.json)
                std::printf(
                    "%d streams / one stream, median of %zu rounds: aggregate decode %.2fx, all "
                    "streams decoding %.2fx\n",
                    sc.concurrency, sc.aggregate.size(), sc.aggregate_median, sc.full_width_median);
        }
    }
    if (o.json) std::printf("%s\n", report.dump(2).c_str());
}

}  // namespace

void register_bench_serve(CLI::App& app) {
    auto opt = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("bench-serve",
                                   "Benchmark a running server with concurrent streaming requests "
                                   "(throughput, TTFT, TPOT, ITL like `vllm bench serve`)");
    cmd->add_option("--url", opt->url, "Server base URL")->capture_default_str();
    cmd->add_option("--model", opt->model, "Model name to request (default: the first of /v1/models)");
    cmd->add_option("--api-key", opt->api_key, "Bearer token for a server started with --api-key");
    cmd->add_option("--concurrency", opt->concurrency, "Concurrency levels to sweep, e.g. 1,4,16,64")
        ->delimiter(',')
        ->capture_default_str();
    cmd->add_option("--input-len", opt->input_len, "Prompt length in tokens")->capture_default_str();
    cmd->add_option("--output-len", opt->output_len, "Generated tokens per request (ignore_eos)")
        ->capture_default_str();
    cmd->add_option("--shared-prefix-len", opt->shared_prefix_len,
                    "Leading prompt tokens shared by every request (prefix caching)")
        ->capture_default_str();
    cmd->add_option("--num-prompts", opt->num_prompts,
                    "Requests per concurrency level (default 2 x level, >= 8)");
    cmd->add_option_function<std::vector<int>>(
           "--token-range",
           [opt](const std::vector<int>& v) {
               if (v.size() != 2) throw CLI::ValidationError("--token-range", "expected LO,HI");
               opt->token_lo = v[0];
               opt->token_hi = v[1];
           },
           "Prompt token ids are drawn uniformly from [LO, HI) (default 100,2000)")
        ->delimiter(',')
        ->expected(2);
    cmd->add_option("--seed", opt->seed,
                    "Prompt RNG seed (default: random, so no earlier run's cache helps)");
    cmd->add_option("--timeout", opt->timeout_s, "Per-request read timeout in seconds")
        ->capture_default_str();
    cmd->add_flag(
        "--prefix-ttft", opt->prefix_ttft,
        "Instead of the sweep, measure the TTFT of an --input-len prompt cold, after a prompt sharing its "
        "first --shared-prefix-len tokens (sibling), and after those tokens were served as a prompt "
        "(next turn)");
    cmd->add_option("--prefix-repeats", opt->prefix_repeats,
                    "--prefix-ttft rounds, each on a fresh prefix; the report gives medians")
        ->capture_default_str();
    cmd->add_option("--rounds", opt->rounds,
                    "Sweeps of every level; each level's decode throughput over one stream's is taken "
                    "within a round, and the medians are reported")
        ->capture_default_str();
    cmd->add_flag("--no-warmup", opt->no_warmup, "Skip the short warm-up request");
    cmd->add_option_function<std::string>(
           "--client",
           [opt](const std::string& v) {
               if (v != "loop" && v != "threads")
                   throw CLI::ValidationError("--client", "expected loop or threads");
               opt->threaded_client = v == "threads";
           },
           "How the sweep's streams are driven: threads (a thread and connection per stream; default, the "
           "client every earlier figure was measured with) or loop (one thread over epoll, like vllm bench "
           "serve's asyncio client: ~40% less client CPU per token)")
        ->default_str("threads");
    cmd->add_flag("--json", opt->json, "Print one JSON report instead of the table");
    cmd->callback([opt] { run(*opt); });
}

}  // namespace hy::cli
