// MtpDrafter's incremental use (docs/engine.md "Speculative decoding", spec/model.md §5.1): the MTP KV
// must hold exactly positions base..t with the (H_t, x_{t+1}) pairs, whatever rows each step keeps
// (prefill chunks, 1 + accepted verify rows) and after the recursive draft positions are truncated.
// Then its first draft after every step equals the argmax of ONE teacher-forced run_mtp over the whole
// sequence at the last kept position. On the trained default model (sharp MTP distributions; skips
// when models/default is absent); the prompt is deterministic but arbitrary.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "core/thread_pool.h"
#include "engine/mtp_drafter.h"
#include "model/model_weights.h"

namespace hy {
namespace {

TEST(MtpDrafter, DraftsEqualTeacherForcedMtpAfterEveryStep) {
    const std::string dir = std::string(HYSERVE_SOURCE_DIR) + "/models/default";
    if (!std::filesystem::exists(dir + "/config.json")) GTEST_SKIP() << "no " << dir;
    const ModelWeights w = load_model(dir);
    ThreadPool pool(1);
    Forward fwd(w, pool, ForwardOptions{});
    const int64_t V = w.lm_head.rows();

    // A sequence: a fixed prompt, then the trunk's greedy continuation (what verify steps keep).
    std::vector<int32_t> tokens;
    std::mt19937 rng(7);
    for (int i = 0; i < 40; ++i) tokens.push_back(static_cast<int32_t>(3 + rng() % (V - 3)));
    const size_t prompt = tokens.size(), total = prompt + 60;
    {
        auto seq = fwd.new_sequence();
        std::span<const int32_t> feed(tokens);
        while (tokens.size() < total) {
            SequenceInput in{seq.get(), feed, false};
            const ForwardOutput& o = fwd.run(std::span<const SequenceInput>(&in, 1));
            tokens.push_back(static_cast<int32_t>(std::max_element(o.logits_row(0), o.logits_row(0) + V) -
                                                  o.logits_row(0)));
            feed = std::span<const int32_t>(&tokens.back(), 1);
        }
    }

    // Reference: trunk hidden rows of every position, then one teacher-forced run_mtp over positions
    // 0..total-2 (row t predicts token t+2).
    const int64_t D = w.config.hidden_size, T = static_cast<int64_t>(total);
    std::vector<float> hidden;
    {
        auto seq = fwd.new_sequence();
        SequenceInput in{seq.get(), std::span<const int32_t>(tokens), true};
        const ForwardOutput& o = fwd.run(std::span<const SequenceInput>(&in, 1));
        hidden.assign(o.hidden_row(0), o.hidden_row(0) + T * D);
    }
    std::vector<int32_t> want;
    {
        auto mtp = fwd.new_mtp_sequence();
        const ForwardOutput& o =
            fwd.run_mtp(*mtp, std::span<const int32_t>(tokens).subspan(1, total - 1), hidden.data());
        for (int64_t r = 0; r < o.n_rows; ++r)
            want.push_back(static_cast<int32_t>(std::max_element(o.logits_row(r), o.logits_row(r) + V) -
                                                o.logits_row(r)));
    }

    // The drafter, fed like the scheduler: a prefill in two chunks, then steps keeping 1..4 rows
    // (1 + accepted drafts) with 3 drafts each (the recursive positions are written, then truncated).
    MtpDrafter drafter(fwd, 3);
    MtpSequence s;
    drafter.start(s, 0);
    auto trunk = fwd.new_sequence();
    int64_t pos = 0, steps = 0;
    auto step = [&](int64_t rows) {
        SequenceInput in{
            trunk.get(),
            std::span<const int32_t>(tokens).subspan(static_cast<size_t>(pos), static_cast<size_t>(rows)),
            true};
        const ForwardOutput& o = fwd.run(std::span<const SequenceInput>(&in, 1));
        drafter.keep_hidden(s, o, 0, rows);
        pos += rows;
        // The tokens known after this step: up to the one after the last kept position.
        drafter.advance(s, std::span<const int32_t>(tokens).first(static_cast<size_t>(pos + 1)), true);
        ASSERT_EQ(s.drafts.size(), 3u);
        EXPECT_EQ(s.drafts[0], want[static_cast<size_t>(pos - 1)]) << "after position " << pos - 1;
        ++steps;
    };
    step(25);
    step(static_cast<int64_t>(prompt) - 25);
    for (int64_t k = 0; pos + 4 < T; k = (k + 1) % 4) step(1 + k);
    EXPECT_GT(steps, 20);
}

}  // namespace
}  // namespace hy
