// Weights copied into 2 MiB pages (core/mapped_file.h, HUGE_PAGE_COPY) give bit-identical logits to
// the file mapping: the copy holds the same bytes at the same offsets, and the kernels do not depend
// on where the bytes live.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/mapped_file.h"
#include "core/thread_pool.h"
#include "kernels/bf16_matmul.h"
#include "model/forward.h"
#include "model/gguf.h"
#include "model/model_weights.h"
#include "model_files_fixture.h"

namespace hy {
namespace {

using testing_util::dummy_tokenizer;
using testing_util::TempDir;

// Logits of a 7-token prefill's last row, then of 6 single-token decode steps fed greedily.
std::vector<float> logits_trace(const ModelWeights& w, ThreadPool& pool) {
    Forward f(w, pool);
    auto seq = f.new_sequence();
    std::vector<int32_t> feed = {5, 17, 42, 99, 3, 8250, 7};
    std::vector<float> out;
    for (int step = 0; step < 7; ++step) {
        SequenceInput in{seq.get(), std::span<const int32_t>(feed), false};
        const ForwardOutput& o = f.run(std::span<const SequenceInput>(&in, 1));
        const float* row = o.logits_row(o.n_rows - 1);
        out.insert(out.end(), row, row + o.n_vocab);
        feed = {static_cast<int32_t>(std::max_element(row, row + o.n_vocab) - row)};
    }
    return out;
}

// The same file loaded twice: mapped, then copied into 2 MiB pages.
struct BothLoads {
    ModelWeights mapped, copied;
};
BothLoads load_both(const std::string& path) {
    const FileResidency before = weights_file_residency();
    BothLoads b;
    set_weights_file_residency(FileResidency::MAPPED);
    b.mapped = load_model(path);
    set_weights_file_residency(FileResidency::HUGE_PAGE_COPY);
    b.copied = load_model(path);
    set_weights_file_residency(before);
    return b;
}

void expect_same_logits(const ModelWeights& a, const ModelWeights& b) {
    ThreadPool pool(2);
    const std::vector<float> x = logits_trace(a, pool), y = logits_trace(b, pool);
    ASSERT_EQ(x.size(), y.size());
    EXPECT_EQ(0, std::memcmp(x.data(), y.data(), x.size() * sizeof(float)));
}

class HugePageWeights : public ::testing::TestWithParam<DType> {};

TEST_P(HugePageWeights, LogitsAreBitIdenticalToTheMapping) {
    TempDir dir("hugepage");
    // A 9000-token vocabulary makes the untied embeddings and head alone 2.3 MB in BF16: the file is
    // over one huge page, so it is copied (smaller files stay mapped).
    constexpr int64_t kVocab = 9000;
    const ModelConfig cfg = test_model_config("tiny", false, kVocab);
    write_test_model_gguf(dir.str("model.gguf"), cfg, generate_test_weights(cfg, 5), GetParam(),
                          dummy_tokenizer(kVocab), "hugepage");
    const BothLoads both = load_both(dir.str("model.gguf"));
    const ModelWeights &mapped = both.mapped, &copied = both.copied;
    // Readers of metadata (config, tokenizer) map the file whatever the weights do: a second copy of
    // the weights while the first is held doubled the server's peak RSS.
    const FileResidency before = weights_file_residency();
    set_weights_file_residency(FileResidency::HUGE_PAGE_COPY);
    EXPECT_EQ(open_gguf(dir.str("model.gguf")).file->residency(), FileResidency::MAPPED);
    set_weights_file_residency(before);
    ASSERT_EQ(mapped.files.size(), 1u);
    ASSERT_EQ(copied.files.size(), 1u);
    EXPECT_EQ(mapped.files[0]->residency(), FileResidency::MAPPED);
    ASSERT_EQ(copied.files[0]->residency(), FileResidency::HUGE_PAGE_COPY) << "tiny file under 2 MiB?";
    // The views point into the copy, not into some mapping of the file.
    const uint8_t* lo = copied.files[0]->data();
    EXPECT_GE(copied.lm_head.data, lo);
    EXPECT_LE(copied.lm_head.data + copied.lm_head.nbytes, lo + copied.files[0]->size());

    // On the vdpbf16ps route the copy's BF16 matrices are rewritten as panels (model/bf16_panels.h);
    // the mapping keeps the stored rows. Same logits either way.
    if (GetParam() == DType::BF16 && kernels::bf16_route(copied.lm_head)) {
        EXPECT_TRUE(copied.lm_head.bf16_panels);
        EXPECT_TRUE(copied.layers[0].mamba.in_proj.bf16_panels || copied.layers[0].kind != LayerKind::MAMBA);
    }
    EXPECT_FALSE(mapped.lm_head.bf16_panels);
    expect_same_logits(mapped, copied);
}

// A head tied to the embedding table is never rewritten: the table's rows are looked up by token.
TEST(HugePageWeightsTied, HeadKeepsItsRows) {
    TempDir dir("hugepage-tied");
    constexpr int64_t kVocab = 20000;  // one table now: 2.6 MB in BF16, still over a huge page
    ModelConfig cfg = test_model_config("tiny", false, kVocab);
    cfg.tie_word_embeddings = true;
    write_test_model_gguf(dir.str("model.gguf"), cfg, generate_test_weights(cfg, 5), DType::BF16,
                          dummy_tokenizer(kVocab), "hugepage-tied");
    const BothLoads both = load_both(dir.str("model.gguf"));
    ASSERT_EQ(both.copied.files[0]->residency(), FileResidency::HUGE_PAGE_COPY);
    EXPECT_EQ(both.copied.lm_head.data, both.copied.embeddings.data)
        << "the tied head is the embeddings view";
    EXPECT_FALSE(both.copied.lm_head.bf16_panels);
    expect_same_logits(both.mapped, both.copied);
}

INSTANTIATE_TEST_SUITE_P(Dtypes, HugePageWeights, ::testing::Values(DType::F32, DType::BF16),
                         [](const auto& info) { return std::string(dtype_name(info.param)); });

}  // namespace
}  // namespace hy
