// Decoding allocates nothing per token (issue 3): once a sequence is warmed up, further single-token
// steps within the same K/V page reuse every buffer. Counts calls to the global operator new.
#include <gtest/gtest.h>

// The replacement operator new below pairs malloc with free; gcc cannot see that pairing.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <atomic>
#include <cstdlib>
#include <new>

#include "core/thread_pool.h"
#include "model/forward.h"
#include "model/model_weights.h"
#include "model_files_fixture.h"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
    if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}

namespace hy {
namespace {

TEST(ForwardAllocations, DecodeStepsAllocateNothing) {
    testing_util::TempDir dir("alloc");
    const ModelConfig cfg = test_model_config("tiny", false, 300);
    write_test_model_hf(dir.str("hf"), cfg, generate_test_weights(cfg, 5), DType::F32,
                        testing_util::dummy_tokenizer(300));
    const ModelWeights w = load_model(dir.str("hf"));
    ThreadPool pool(2);
    Forward f(w, pool);
    auto seq = f.new_sequence();
    std::vector<int32_t> prompt = {3, 14, 15, 92, 65, 35, 89, 79};
    int32_t next = 7;
    auto step = [&](std::span<const int32_t> tokens) {
        SequenceInput in{seq.get(), tokens, false};
        const ForwardOutput& o = f.run(std::span<const SequenceInput>(&in, 1));
        const float* row = o.logits_row(o.n_rows - 1);
        next = static_cast<int32_t>(std::max_element(row, row + o.n_vocab) - row);
    };
    step(prompt);
    for (int i = 0; i < 3; ++i) step(std::span<const int32_t>(&next, 1));  // warm-up

    g_allocations = 0;
    g_counting = true;
    for (int i = 0; i < 32; ++i) step(std::span<const int32_t>(&next, 1));
    g_counting = false;
    EXPECT_EQ(g_allocations.load(), 0) << "heap allocations during 32 decode steps";
}

}  // namespace
}  // namespace hy
