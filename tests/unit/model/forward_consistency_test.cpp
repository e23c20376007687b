// Self-consistency of the forward pass on an in-memory random model (always runs, no files):
// one prefill ≡ token-by-token steps ≡ uneven chunks; a batch of sequences ≡ each alone; serial ≡
// chunked SSM; every ISA path agrees; per-token Mamba states reach the sink.
#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>

#include "core/error.h"
#include "forward_test_model.h"
#include "kernels/bf16_matmul.h"
#include "kernels/isa.h"
#include "model/forward.h"

namespace hy {
namespace {

double rel_l2(const float* a, const float* b, int64_t n) {
    double num = 0, den = 0;
    for (int64_t i = 0; i < n; ++i) {
        num += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
        den += static_cast<double>(b[i]) * b[i];
    }
    return std::sqrt(num / den);
}

std::vector<int32_t> prompt(int64_t n, int32_t seed, int64_t V) {
    std::vector<int32_t> t;
    for (int64_t i = 0; i < n; ++i) t.push_back(static_cast<int32_t>((seed * 7919 + i * 104729 + i * i) % V));
    return t;
}

// Logits of every position of `tokens` fed in pieces of the given sizes.
std::vector<float> run_chunks(Forward& f, const std::vector<int32_t>& tokens,
                              const std::vector<int64_t>& sizes) {
    auto seq = f.new_sequence();
    std::vector<float> all;
    size_t at = 0;
    for (int64_t n : sizes) {
        SequenceInput in{seq.get(), std::span<const int32_t>(tokens.data() + at, static_cast<size_t>(n)),
                         true};
        const ForwardOutput& out = f.run(std::span<const SequenceInput>(&in, 1));
        EXPECT_EQ(out.n_rows, n);
        all.insert(all.end(), out.logits.begin(), out.logits.begin() + out.n_rows * out.n_vocab);
        at += static_cast<size_t>(n);
    }
    EXPECT_EQ(seq->n_past(), static_cast<int64_t>(tokens.size()));
    return all;
}

void expect_rows_close(const std::vector<float>& a, const std::vector<float>& b, int64_t V, double tol,
                       const std::string& what) {
    ASSERT_EQ(a.size(), b.size()) << what;
    for (size_t r = 0; r < a.size() / static_cast<size_t>(V); ++r)
        EXPECT_LE(rel_l2(a.data() + r * V, b.data() + r * V, V), tol) << what << " position " << r;
}

class ForwardConsistency : public ::testing::TestWithParam<int> {};

TEST_P(ForwardConsistency, PrefillStepsAndChunksAgree) {
    const int variant = GetParam();
    auto m = test::make_random_model(variant == 2 ? DType::BF16 : DType::F32, variant == 1 ? 12 : 0);
    ThreadPool pool(2);
    const int64_t V = m->w.config.vocab_size;
    const std::vector<int32_t> tokens = prompt(21, 3, V);
    Forward f(m->w, pool);
    const std::vector<float> whole = run_chunks(f, tokens, {21});
    expect_rows_close(run_chunks(f, tokens, std::vector<int64_t>(21, 1)), whole, V, 1e-5, "single steps");
    expect_rows_close(run_chunks(f, tokens, {3, 17, 1}), whole, V, 1e-5, "chunks 3+17+1");
    f.options().ssm_mode = SsmMode::SERIAL;
    expect_rows_close(run_chunks(f, tokens, {21}), whole, V, 1e-5, "serial SSM");
    f.options().ssm_mode = SsmMode::CHUNKED;
    expect_rows_close(run_chunks(f, tokens, {2, 19}), whole, V, 1e-5, "chunked SSM");
    f.options().ssm_mode = SsmMode::AUTO;
    // The ISAs agree on the exact path. BF16 on AVX-512 BF16 CPUs defaults to bf16-rounded activations
    // (kernels/bf16_matmul.h), which only that ISA has: the comparisons above hold it to itself.
    kernels::set_bf16_activations_override(false);
    const std::vector<float> exact = run_chunks(f, tokens, {21});
    for (kernels::Isa isa : {kernels::Isa::SCALAR, kernels::Isa::AVX2, kernels::Isa::AVX512}) {
        if (!kernels::isa_supported(isa)) continue;
        kernels::set_isa_override(isa);
        expect_rows_close(run_chunks(f, tokens, {21}), exact, V, 1e-5, kernels::isa_name(isa));
        kernels::clear_isa_override();
    }
    kernels::clear_bf16_activations_override();
    ThreadPool one(1);
    Forward f1(m->w, one);
    expect_rows_close(run_chunks(f1, tokens, {21}), whole, V, 1e-5, "one thread");
}

TEST_P(ForwardConsistency, BatchEqualsAlone) {
    auto m = test::make_random_model(GetParam() == 2 ? DType::BF16 : DType::F32, GetParam() == 1 ? 12 : 0);
    ThreadPool pool(2);
    const int64_t V = m->w.config.vocab_size;
    Forward f(m->w, pool);
    const std::vector<int64_t> lens = {1, 5, 12, 3};
    std::vector<std::vector<int32_t>> prompts, nexts;
    for (size_t i = 0; i < lens.size(); ++i) {
        prompts.push_back(prompt(lens[i], static_cast<int32_t>(i + 1), V));
        nexts.push_back(prompt(1 + static_cast<int64_t>(i % 2), static_cast<int32_t>(i + 11), V));
    }
    // Alone: prompt, then a second call with 1–2 tokens.
    std::vector<std::vector<float>> alone;
    for (size_t i = 0; i < lens.size(); ++i) {
        std::vector<int32_t> all = prompts[i];
        all.insert(all.end(), nexts[i].begin(), nexts[i].end());
        alone.push_back(run_chunks(f, all, {lens[i], static_cast<int64_t>(nexts[i].size())}));
    }
    // Together: both calls batched over the four sequences.
    std::vector<std::unique_ptr<LocalSequenceState>> seqs;
    for (size_t i = 0; i < lens.size(); ++i) seqs.push_back(f.new_sequence());
    std::vector<std::vector<float>> together(lens.size());
    for (int call = 0; call < 2; ++call) {
        std::vector<SequenceInput> batch;
        for (size_t i = 0; i < lens.size(); ++i)
            batch.push_back(SequenceInput{seqs[i].get(), call == 0 ? prompts[i] : nexts[i], true});
        const ForwardOutput& out = f.run(batch);
        for (int64_t r = 0; r < out.n_rows; ++r) {
            auto& dst = together[static_cast<size_t>(out.row_seq[static_cast<size_t>(r)])];
            dst.insert(dst.end(), out.logits_row(r), out.logits_row(r) + V);
        }
    }
    for (size_t i = 0; i < lens.size(); ++i)
        expect_rows_close(together[i], alone[i], V, 1e-5, "sequence " + std::to_string(i));
}

INSTANTIATE_TEST_SUITE_P(Variants, ForwardConsistency, ::testing::Values(0, 1, 2), [](const auto& info) {
    return std::string(info.param == 0 ? "F32" : info.param == 1 ? "LatentF32" : "BF16");
});

TEST(Forward, LastLogitsOnlyAndBadToken) {
    auto m = test::make_random_model();
    ThreadPool pool(2);
    Forward f(m->w, pool);
    auto seq = f.new_sequence();
    const std::vector<int32_t> t = {1, 2, 3};
    SequenceInput in{seq.get(), t, false};
    const ForwardOutput& out = f.run(std::span<const SequenceInput>(&in, 1));
    EXPECT_EQ(out.n_rows, 1);
    EXPECT_EQ(out.row_pos[0], 2);
    const std::vector<int32_t> bad = {5, 61};
    SequenceInput in2{seq.get(), bad, false};
    EXPECT_THROW(f.run(std::span<const SequenceInput>(&in2, 1)), Error);
}

// The SSM and conv states of the random model's Mamba layers 0 and 3, appended to dst.
void append_mamba_states(std::vector<float>& dst, std::initializer_list<LocalSequenceState*> seqs) {
    for (LocalSequenceState* q : seqs)
        for (int64_t layer : {0, 3}) {
            dst.insert(dst.end(), q->ssm_state(layer), q->ssm_state(layer) + 4 * 8 * 16);
            dst.insert(dst.end(), q->conv_state(layer), q->conv_state(layer) + 3 * 96);
        }
}

// The fused Mamba2 decode step (issue 10) does the unfused path's arithmetic: token-by-token logits
// and the final states are bit-identical, alone and in a batch of single-token sequences, with the
// matrices in F32, BF16 or Q8_0.
TEST(Forward, FusedMambaStepIsBitIdentical) {
    for (DType dt : {DType::F32, DType::BF16, DType::Q8_0}) {
        auto m = test::make_random_model(dt);
        ThreadPool pool(2);
        Forward f(m->w, pool);
        const std::vector<int32_t> t = prompt(9, 4, m->w.config.vocab_size);
        const std::vector<int64_t> steps = {3, 1, 1, 1, 1, 1, 1};
        const std::vector<float> fused = run_chunks(f, t, steps);
        f.options().fused_mamba_step = false;
        EXPECT_EQ(run_chunks(f, t, steps), fused);
        // Two sequences decoding side by side.
        std::vector<float> out[2], states[2];
        for (int mode = 0; mode < 2; ++mode) {
            f.options().fused_mamba_step = mode == 0;
            auto a = f.new_sequence(), b = f.new_sequence();
            for (size_t i = 0; i < t.size(); ++i) {
                const SequenceInput in[2] = {
                    {a.get(), std::span<const int32_t>(&t[i], 1), true},
                    {b.get(), std::span<const int32_t>(&t[t.size() - 1 - i], 1), true}};
                const ForwardOutput& o = f.run(in);
                out[mode].insert(out[mode].end(), o.logits.begin(), o.logits.begin() + o.n_rows * o.n_vocab);
            }
            append_mamba_states(states[mode], {a.get(), b.get()});
        }
        EXPECT_EQ(out[0], out[1]);
        EXPECT_EQ(states[0], states[1]);
    }
}

// A step that mixes decode tokens with prompt chunks runs the fused step on the decode tokens only
// (issue 6): logits and states match the unfused path bit for bit.
TEST(Forward, FusedMambaStepInMixedBatchIsBitIdentical) {
    auto m = test::make_random_model(DType::F32);
    ThreadPool pool(2);
    Forward f(m->w, pool);
    const std::vector<int32_t> t = prompt(9, 6, m->w.config.vocab_size);
    // (offset, length) fed to sequences a and b at each step: chunks beside single tokens.
    const int64_t plan[4][4] = {{0, 3, 0, 1}, {3, 1, 1, 4}, {4, 1, 5, 1}, {5, 4, 6, 1}};
    std::vector<float> out[2], states[2];
    for (int mode = 0; mode < 2; ++mode) {
        f.options().fused_mamba_step = mode == 0;
        auto a = f.new_sequence(), b = f.new_sequence();
        for (const auto& p : plan) {
            const std::span<const int32_t> all(t);
            const SequenceInput in[2] = {
                {a.get(), all.subspan(static_cast<size_t>(p[0]), static_cast<size_t>(p[1])), true},
                {b.get(), all.subspan(static_cast<size_t>(p[2]), static_cast<size_t>(p[3])), true}};
            const ForwardOutput& o = f.run(in);
            out[mode].insert(out[mode].end(), o.logits.begin(), o.logits.begin() + o.n_rows * o.n_vocab);
        }
        append_mamba_states(states[mode], {a.get(), b.get()});
    }
    EXPECT_EQ(out[0], out[1]);
    EXPECT_EQ(states[0], states[1]);
}

struct CountingSink : MambaStateSink {
    int calls = 0;
    std::vector<float> last_ssm;
    void on_token(int64_t, int64_t, const float*, const float* ssm) override {
        ++calls;
        last_ssm.assign(ssm, ssm + 4 * 8 * 16);
    }
};

TEST(Forward, MambaSinkSeesEveryTokenAndKeepsResults) {
    auto m = test::make_random_model();
    ThreadPool pool(2);
    Forward f(m->w, pool);
    const std::vector<int32_t> t = prompt(9, 5, m->w.config.vocab_size);
    const std::vector<float> ref = run_chunks(f, t, {9});
    auto seq = f.new_sequence();
    CountingSink sink;
    seq->set_mamba_sink(&sink);
    SequenceInput in{seq.get(), t, true};
    const ForwardOutput& out = f.run(std::span<const SequenceInput>(&in, 1));
    EXPECT_EQ(sink.calls, 9 * 2);  // 9 tokens x 2 Mamba layers
    EXPECT_LE(rel_l2(out.logits.data(), ref.data(), 9 * out.n_vocab), 1e-5);
    const float* final_ssm = seq->ssm_state(3);
    EXPECT_EQ(std::vector<float>(final_ssm, final_ssm + 4 * 8 * 16), sink.last_ssm);
}

TEST(Forward, MtpShapesDeterminismAndIncrementalKv) {
    auto m = test::make_random_model();
    ThreadPool pool(2);
    Forward f(m->w, pool);
    const int64_t D = m->w.config.hidden_size, V = m->w.config.vocab_size;
    const std::vector<int32_t> t = prompt(7, 9, V);
    // Trunk hidden states of every position, then MTP over (hidden_t, token_{t+1}).
    auto seq = f.new_sequence();
    SequenceInput in{seq.get(), t, true};
    const std::vector<float> hidden = f.run(std::span<const SequenceInput>(&in, 1)).hidden;
    const std::vector<int32_t> next(t.begin() + 1, t.end());
    const int64_t T = static_cast<int64_t>(next.size());
    auto s1 = f.new_mtp_sequence();
    const ForwardOutput& o1 = f.run_mtp(*s1, next, hidden.data());
    ASSERT_EQ(o1.n_rows, T);
    ASSERT_EQ(o1.n_vocab, V);
    ASSERT_EQ(o1.hidden_size, D);
    const std::vector<float> logits1 = o1.logits, g1 = o1.hidden;
    for (int64_t i = 0; i < T * V; ++i) ASSERT_TRUE(std::isfinite(logits1[i]));
    EXPECT_EQ(s1->n_past(), T);
    // Deterministic, and position by position (own KV cache) gives the same rows.
    auto s2 = f.new_mtp_sequence();
    EXPECT_EQ(f.run_mtp(*s2, next, hidden.data()).logits, logits1);
    auto s3 = f.new_mtp_sequence();
    for (int64_t i = 0; i < T; ++i) {
        const ForwardOutput& o =
            f.run_mtp(*s3, std::span<const int32_t>(next.data() + i, 1), hidden.data() + i * D);
        EXPECT_LE(rel_l2(o.logits.data(), logits1.data() + i * V, V), 1e-5) << i;
        EXPECT_LE(rel_l2(o.hidden.data(), g1.data() + i * D, D), 1e-5) << i;
    }
    // The final-norm switch is live.
    f.options().mtp_final_norm = MtpFinalNorm::LAYER_NORM;
    auto s4 = f.new_mtp_sequence();
    EXPECT_NE(f.run_mtp(*s4, next, hidden.data()).logits, logits1);
}

}  // namespace
}  // namespace hy
