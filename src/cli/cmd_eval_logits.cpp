// `hyserve eval-logits`: run the forward pass over given token ids and print the top logits as
// JSON (issue 3); --out writes the full float32 rows for comparison with other implementations.
// --mtp reports the MTP block's logits instead (spec/model.md §5.1), teacher-forced: position t takes
// the trunk's post-norm_f hidden H_t and token x_{t+1} and predicts x_{t+2}, so there are T-1 rows.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>

#include "cli/commands.h"
#include "cli/token_list.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "model/forward.h"

namespace hy::cli {

namespace {

struct EvalOptions {
    std::string model;
    std::string tokens;
    std::string chunks;
    std::string out;
    bool all_positions = false;
    bool mtp = false;
    int top = 20;
    int threads = 0;
    std::string ssm = "auto";
};

void run_eval(const EvalOptions& o) {
    std::vector<int32_t> tokens;
    for (int64_t t : parse_int_list(o.tokens, "--tokens")) {
        if (t < 0 || t > INT32_MAX) throw Error("--tokens: id " + std::to_string(t) + " out of range");
        tokens.push_back(static_cast<int32_t>(t));
    }
    std::vector<int64_t> chunks;
    if (!o.chunks.empty()) {
        chunks = parse_int_list(o.chunks, "--chunks");
        int64_t sum = 0;
        for (int64_t c : chunks) {
            if (c <= 0) throw Error("--chunks: sizes must be positive");
            sum += c;
        }
        if (sum != static_cast<int64_t>(tokens.size()))
            throw Error("--chunks: sizes sum to " + std::to_string(sum) + " but there are " +
                        std::to_string(tokens.size()) + " tokens");
    } else {
        chunks.push_back(static_cast<int64_t>(tokens.size()));
    }
    if (o.top < 0) throw Error("--top must be >= 0");

    const ModelWeights w = load_model(o.model);
    ThreadPool pool(o.threads);
    ForwardOptions fo;
    if (o.ssm == "serial")
        fo.ssm_mode = SsmMode::SERIAL;
    else if (o.ssm == "chunked")
        fo.ssm_mode = SsmMode::CHUNKED;
    Forward fwd(w, pool, fo);
    auto seq = fwd.new_sequence();
    if (o.mtp && tokens.size() < 2) throw Error("--mtp needs at least 2 tokens");
    auto mtp_seq = o.mtp ? fwd.new_mtp_sequence() : nullptr;
    std::vector<float> hidden;  // --mtp: the current chunk's trunk hidden rows

    const int64_t V = w.lm_head.rows();
    std::vector<float> logits;  // rows of the positions to report
    std::vector<int64_t> positions;
    size_t at = 0;
    for (size_t ci = 0; ci < chunks.size(); ++ci) {
        const bool last_chunk = ci + 1 == chunks.size();
        SequenceInput in;
        in.state = seq.get();
        in.tokens = std::span<const int32_t>(tokens.data() + at, static_cast<size_t>(chunks[ci]));
        in.all_logits = o.all_positions || o.mtp;
        const ForwardOutput* outp = &fwd.run(std::span<const SequenceInput>(&in, 1));
        const size_t pos0 = at;
        at += static_cast<size_t>(chunks[ci]);
        if (o.mtp) {
            // The MTP block runs in the same chunks as the trunk (its KV grows incrementally, as in the
            // drafter); the sequence's last position has no next token, so it has no MTP row.
            const size_t n = std::min(at, tokens.size() - 1) - pos0;
            if (n == 0) continue;
            hidden.assign(outp->hidden_row(0),
                          outp->hidden_row(0) + static_cast<int64_t>(n) * outp->hidden_size);
            outp =
                &fwd.run_mtp(*mtp_seq, std::span<const int32_t>(tokens.data() + pos0 + 1, n), hidden.data());
        }
        const ForwardOutput& out = *outp;
        if (!o.all_positions && !last_chunk && !(o.mtp && at + 1 >= tokens.size())) continue;
        for (int64_t r = o.all_positions ? 0 : out.n_rows - 1; r < out.n_rows; ++r) {
            logits.insert(logits.end(), out.logits_row(r), out.logits_row(r) + V);
            positions.push_back(out.row_pos[static_cast<size_t>(r)]);
        }
    }

    nlohmann::json j;
    j["n_vocab"] = V;
    j["positions"] = nlohmann::json::array();
    std::vector<int32_t> order(static_cast<size_t>(V));
    for (size_t p = 0; p < positions.size(); ++p) {
        const float* row = logits.data() + static_cast<int64_t>(p) * V;
        std::iota(order.begin(), order.end(), 0);
        const int64_t k = std::min<int64_t>(o.top, V);
        std::partial_sort(order.begin(), order.begin() + k, order.end(), [row](int32_t a, int32_t b) {
            return row[a] > row[b] || (row[a] == row[b] && a < b);
        });
        nlohmann::json top = nlohmann::json::array();
        for (int64_t i = 0; i < k; ++i)
            top.push_back({order[static_cast<size_t>(i)], row[order[static_cast<size_t>(i)]]});
        j["positions"].push_back({{"pos", positions[p]}, {"top", top}});
    }
    if (!o.out.empty()) {
        std::ofstream f(o.out, std::ios::binary);
        f.write(reinterpret_cast<const char*>(logits.data()),
                static_cast<std::streamsize>(logits.size() * 4));
        if (!f) throw Error("--out: cannot write " + o.out);
    }
    std::printf("%s\n", j.dump().c_str());
}

}  // namespace

void register_eval_logits(CLI::App& app) {
    auto o = std::make_shared<EvalOptions>();
    o->model = default_model_path();
    auto* cmd =
        app.add_subcommand("eval-logits", "Run the model over token ids and print the top logits as JSON");
    cmd->add_option("--model", o->model, "Model directory, .safetensors or .gguf file");
    cmd->add_option("--tokens", o->tokens, "Comma-separated token ids")->required();
    cmd->add_flag("--all-positions", o->all_positions, "Report every position, not only the last");
    cmd->add_flag(
        "--mtp", o->mtp,
        "Report the MTP block's teacher-forced logits (row t predicts token t+2 from H_t, x_{t+1})");
    cmd->add_option("--top", o->top, "Logits to list per position (default 20)");
    cmd->add_option("--chunks", o->chunks, "Feed the tokens as prefill chunks of these sizes, e.g. 3,17,1");
    cmd->add_option("--out", o->out, "Write the reported positions' full float32 logits (row-major) here");
    cmd->add_option("--threads", o->threads, "Worker threads (default: physical cores)");
    cmd->add_option("--ssm", o->ssm, "SSM scan for prefill: auto|serial|chunked")
        ->check(CLI::IsMember({"auto", "serial", "chunked"}));
    cmd->callback([o] { run_eval(*o); });
}

}  // namespace hy::cli
