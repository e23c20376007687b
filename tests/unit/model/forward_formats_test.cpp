// The same generated weights written as HF safetensors and as GGUF decode to the same greedy
// continuation (issue 3, verification 3): the naming layer and both readers feed the forward pass
// identical logical tensors, so 64 greedy tokens must agree exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/thread_pool.h"
#include "model/forward.h"
#include "model/model_weights.h"
#include "model_files_fixture.h"

namespace hy {
namespace {

using testing_util::dummy_tokenizer;
using testing_util::TempDir;

std::vector<int32_t> greedy(const ModelWeights& w, ThreadPool& pool, std::vector<int32_t> prompt, int n_new) {
    Forward f(w, pool);
    auto seq = f.new_sequence();
    std::vector<int32_t> out;
    std::vector<int32_t> feed = std::move(prompt);
    for (int i = 0; i < n_new; ++i) {
        SequenceInput in{seq.get(), std::span<const int32_t>(feed), false};
        const ForwardOutput& o = f.run(std::span<const SequenceInput>(&in, 1));
        const float* row = o.logits_row(o.n_rows - 1);
        const int32_t next = static_cast<int32_t>(std::max_element(row, row + o.n_vocab) - row);
        out.push_back(next);
        feed = {next};
    }
    return out;
}

class HfGgufGreedy : public ::testing::TestWithParam<DType> {};

TEST_P(HfGgufGreedy, SixtyFourGreedyTokensAgree) {
    const DType dtype = GetParam();
    TempDir dir("greedy");
    const ModelConfig cfg = test_model_config("tiny", false, 300);
    const auto weights = generate_test_weights(cfg, 11);
    write_test_model_hf(dir.str("hf"), cfg, weights, dtype, dummy_tokenizer(300));
    write_test_model_gguf(dir.str("model.gguf"), cfg, weights, dtype, dummy_tokenizer(300), "greedy");

    ThreadPool pool(2);
    const std::vector<int32_t> prompt = {5, 17, 42, 99, 3, 250, 7};
    const auto from_hf = greedy(load_model(dir.str("hf")), pool, prompt, 64);
    const auto from_gguf = greedy(load_model(dir.str("model.gguf")), pool, prompt, 64);
    EXPECT_EQ(from_hf, from_gguf);
    // A degenerate model (one token repeated) would make the comparison vacuous.
    EXPECT_GT(std::set<int32_t>(from_hf.begin(), from_hf.end()).size(), 4u);
}

INSTANTIATE_TEST_SUITE_P(Dtypes, HfGgufGreedy, ::testing::Values(DType::F32, DType::BF16),
                         [](const auto& info) { return std::string(dtype_name(info.param)); });

}  // namespace
}  // namespace hy
