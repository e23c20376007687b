// The continuous-batching scheduler on the tiny generated model (issue 6 "Verification"): batch
// invariance of 16 concurrent greedy requests, prefix-cache hits that reproduce the cold logits,
// preemption + recompute under a tiny memory budget, and a randomized workload that must leave every
// block and slot free.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <map>
#include <random>

#include "engine/scheduler.h"
#include "tiny_engine_model.h"

namespace hy {
namespace {

using test::collect;
using test::greedy;
using test::tiny_engine_model;

std::vector<int32_t> random_tokens(std::mt19937& rng, int64_t n) {
    std::uniform_int_distribution<int32_t> d(3, 2000);
    std::vector<int32_t> v(static_cast<size_t>(n));
    for (auto& t : v) t = d(rng);
    return v;
}

EngineOptions options(int max_seqs, int64_t budget_tokens, int64_t block_size, double memory, bool caching) {
    EngineOptions o;
    o.max_num_seqs = max_seqs;
    o.max_num_batched_tokens = budget_tokens;
    o.cache.block_size = block_size;
    o.cache.kv_cache_memory = memory;
    o.cache.enable_prefix_caching = caching;
    o.cache.snapshot_interval = 4 * block_size;
    return o;
}

double rel_l2(const std::vector<float>& a, const std::vector<float>& b) {
    double d = 0, n = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        d += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
        n += static_cast<double>(b[i]) * b[i];
    }
    return std::sqrt(d / n);
}

void expect_all_free(const Engine& e) {
    test::drain(e);
    const Scheduler& s = e.scheduler();
    EXPECT_EQ(s.blocks().num_free(), s.blocks().num_blocks());
    EXPECT_EQ(s.slots().num_free(), s.slots().num_slots());
}

TEST(Scheduler, SixteenConcurrentGreedyRequestsMatchEachAlone) {
    ThreadPool pool(2);
    std::mt19937 rng(7);
    std::vector<GenerationRequest> reqs;
    for (int i = 0; i < 16; ++i)
        reqs.push_back(greedy(random_tokens(rng, 1 + (i * 37) % 150), 1 + (i * 13) % 24));
    std::vector<std::vector<int32_t>> alone;
    {
        Engine e(tiny_engine_model(), pool, options(16, 96, 16, 64 << 20, false));
        for (const auto& r : reqs) alone.push_back(collect(e.submit(r)).tokens);
    }
    Engine e(tiny_engine_model(), pool, options(16, 96, 16, 64 << 20, false));
    std::vector<std::shared_ptr<RequestStream>> streams;
    for (const auto& r : reqs) streams.push_back(e.submit(r));
    for (size_t i = 0; i < reqs.size(); ++i) {
        const auto c = collect(streams[i]);
        EXPECT_EQ(c.tokens, alone[i]) << "request " << i;
        EXPECT_EQ(static_cast<int64_t>(c.tokens.size()), reqs[i].sampling.max_tokens);
    }
    expect_all_free(e);
}

// A request resumed from the prefix cache (KV blocks + a Mamba snapshot) gives the cold run's logits.
void check_cached_matches_cold(SsmCacheDtype dtype, double tolerance) {
    ThreadPool pool(2);
    std::mt19937 rng(11);
    const std::vector<int32_t> prompt = random_tokens(rng, 150);
    std::vector<int32_t> other = prompt;  // shares the first 140 tokens
    for (size_t i = 140; i < other.size(); ++i) other[i] = 5 + static_cast<int32_t>(i);
    const int64_t V = tiny_engine_model().embeddings.rows();
    auto req = [&](const std::vector<int32_t>& p) {
        GenerationRequest r = greedy(p, 6);
        r.sampling.top_logprobs = static_cast<int>(V);
        return r;
    };
    test::Collected cold, cold_other;
    {
        Engine e(tiny_engine_model(), pool, options(4, 64, 16, 64 << 20, false));
        cold = collect(e.submit(req(prompt)));
        cold_other = collect(e.submit(req(other)));
        EXPECT_EQ(cold.cached_tokens, 0);
    }
    // Budget 128 with snapshots every 64: the hit at 144 (prompt end) is captured inside the chunk
    // 128..150, the one at 128 at a chunk end.
    EngineOptions o = options(4, 128, 16, 64 << 20, true);
    o.cache.ssm_cache.dtype = dtype;
    Engine e(tiny_engine_model(), pool, o);
    const auto first = collect(e.submit(req(prompt)));
    EXPECT_EQ(first.cached_tokens, 0);
    const auto again = collect(e.submit(req(prompt)));
    const auto shared = collect(e.submit(req(other)));
    EXPECT_EQ(again.cached_tokens, 144);   // the prompt's last block boundary before token 150
    EXPECT_EQ(shared.cached_tokens, 128);  // the last snapshot (every 64 tokens) inside the shared 140
    for (const auto* pair : {&again, &shared}) {
        const auto& ref = pair == &again ? cold : cold_other;
        ASSERT_EQ(pair->logprobs.size(), ref.logprobs.size());
        if (dtype == SsmCacheDtype::FLOAT32) {
            EXPECT_EQ(pair->tokens, ref.tokens);
        }
        for (size_t t = 0; t < ref.logprobs.size(); ++t)
            EXPECT_LE(rel_l2(pair->logprobs[t], ref.logprobs[t]), tolerance) << "token " << t;
    }
    expect_all_free(e);
}

TEST(Scheduler, PrefixCacheHitReproducesColdLogits) {
    check_cached_matches_cold(SsmCacheDtype::FLOAT32, 1e-5);
}

// Snapshots with a 16-bit SSM state: the stated tolerances (rel. L2 of the logprob rows).
TEST(Scheduler, Float16SnapshotFidelity) {
    check_cached_matches_cold(SsmCacheDtype::FLOAT16, 1e-3);
}
TEST(Scheduler, Bfloat16SnapshotFidelity) {
    check_cached_matches_cold(SsmCacheDtype::BFLOAT16, 1e-2);
}

// Two prompts prefilled in one step both take Mamba snapshots inside it, into the step's shared
// capture buffer: each snapshot holds its own sequence's state, so a later request sharing either
// prompt's first 140 tokens resumes at 128 and reproduces its cold logits.
TEST(Scheduler, SnapshotsTakenInOneStepBelongToTheirSequences) {
    ThreadPool pool(2);
    std::mt19937 rng(19);
    const std::vector<int32_t> prompts[2] = {random_tokens(rng, 150), random_tokens(rng, 150)};
    const int64_t V = tiny_engine_model().embeddings.rows();
    auto sharing = [&](int i) {  // prompt i's first 140 tokens, then its own
        GenerationRequest r = greedy(prompts[i], 4);
        for (size_t t = 140; t < r.prompt.size(); ++t) r.prompt[t] = 7 + static_cast<int32_t>(t);
        r.sampling.top_logprobs = static_cast<int>(V);
        return r;
    };
    test::Collected cold[2];
    {
        Engine e(tiny_engine_model(), pool, options(4, 512, 16, 64 << 20, false));
        for (int i = 0; i < 2; ++i) cold[i] = collect(e.submit(sharing(i)));
    }
    EngineMetrics metrics;
    Scheduler s(tiny_engine_model(), pool, options(4, 512, 16, 64 << 20, true), metrics);
    auto run = [&](const GenerationRequest& a, const GenerationRequest& b) {
        std::shared_ptr<RequestStream> streams[2] = {std::make_shared<RequestStream>(1),
                                                     std::make_shared<RequestStream>(2)};
        s.add(a, streams[0]);
        s.add(b, streams[1]);
        while (!s.idle()) s.step();
        return std::make_pair(collect(streams[0]), collect(streams[1]));
    };
    const int64_t steps_before = s.counters().steps;
    run(greedy(prompts[0], 1), greedy(prompts[1], 1));
    EXPECT_EQ(s.counters().steps - steps_before, 1);  // both 150-token prompts in one step of 512
    const auto [a, b] = run(sharing(0), sharing(1));
    const test::Collected* cached[2] = {&a, &b};
    for (int i = 0; i < 2; ++i) {
        EXPECT_EQ(cached[i]->cached_tokens, 128) << "prompt " << i;  // the snapshot every 64 tokens
        EXPECT_EQ(cached[i]->tokens, cold[i].tokens) << "prompt " << i;
        ASSERT_EQ(cached[i]->logprobs.size(), cold[i].logprobs.size());
        for (size_t t = 0; t < cold[i].logprobs.size(); ++t)
            EXPECT_LE(rel_l2(cached[i]->logprobs[t], cold[i].logprobs[t]), 1e-5)
                << "prompt " << i << " token " << t;
    }
}

// The next turn of a conversation extends the previous prompt: it resumes at exactly that prompt's
// end (issue 6 "snapshots at the end of every prompt"), off a block boundary too, where the partial
// block's rows come from the tail snapshot into a fresh block; logits as in a cold run.
TEST(Scheduler, NextTurnResumesAtThePreviousPromptEnd) {
    ThreadPool pool(2);
    std::mt19937 rng(19);
    const int64_t V = tiny_engine_model().embeddings.rows();
    auto req = [&](const std::vector<int32_t>& p) {
        GenerationRequest r = greedy(p, 4);
        r.sampling.top_logprobs = static_cast<int>(V);
        return r;
    };
    auto extend = [&](std::vector<int32_t> p, int64_t n) {
        const auto more = random_tokens(rng, n);
        p.insert(p.end(), more.begin(), more.end());
        return p;
    };
    // 150 = 9 blocks of 16 + 6 rows; 5 = a tail inside the first block; 128 = on a boundary.
    for (const int64_t len : {150, 5, 128}) {
        const auto turn1 = random_tokens(rng, len);
        const auto turn2 = extend(turn1, 23), turn3 = extend(turn2, 40);
        test::Collected cold2, cold3;
        {
            Engine e(tiny_engine_model(), pool, options(4, 64, 16, 64 << 20, false));
            cold2 = collect(e.submit(req(turn2)));
            cold3 = collect(e.submit(req(turn3)));
        }
        Engine e(tiny_engine_model(), pool, options(4, 64, 16, 64 << 20, true));
        EXPECT_EQ(collect(e.submit(req(turn1))).cached_tokens, 0);
        const auto warm2 = collect(e.submit(req(turn2)));
        const auto warm3 = collect(e.submit(req(turn3)));
        EXPECT_EQ(warm2.cached_tokens, len) << len;
        EXPECT_EQ(warm3.cached_tokens, static_cast<int64_t>(turn2.size())) << len;
        for (const auto* pair : {&warm2, &warm3}) {
            const auto& ref = pair == &warm2 ? cold2 : cold3;
            EXPECT_EQ(pair->tokens, ref.tokens) << len;
            ASSERT_EQ(pair->logprobs.size(), ref.logprobs.size());
            for (size_t t = 0; t < ref.logprobs.size(); ++t)
                EXPECT_LE(rel_l2(pair->logprobs[t], ref.logprobs[t]), 1e-5) << len << " token " << t;
        }
        expect_all_free(e);
    }
}

// A chat prompt's generation prompt is rendered differently in the next turn, which shares only the
// tokens before it (GenerationRequest::turn_start): a snapshot there, captured inside the prefill
// chunk 128..150 and off a block boundary, lets the next turn resume at 145, not at 144.
TEST(Scheduler, NextTurnResumesAtTheTurnStart) {
    ThreadPool pool(2);
    std::mt19937 rng(23);
    const int64_t V = tiny_engine_model().embeddings.rows();
    const auto turn1 = random_tokens(rng, 150);
    std::vector<int32_t> turn2(turn1.begin(), turn1.begin() + 145);
    const auto answer = random_tokens(rng, 30);
    turn2.insert(turn2.end(), answer.begin(), answer.end());
    GenerationRequest first = greedy(turn1, 2), next = greedy(turn2, 4);
    first.turn_start = 145;
    next.sampling.top_logprobs = static_cast<int>(V);
    test::Collected cold;
    {
        Engine e(tiny_engine_model(), pool, options(4, 64, 16, 64 << 20, false));
        cold = collect(e.submit(next));
    }
    Engine e(tiny_engine_model(), pool, options(4, 64, 16, 64 << 20, true));
    collect(e.submit(first));
    const auto warm = collect(e.submit(next));
    EXPECT_EQ(warm.cached_tokens, 145);
    EXPECT_EQ(warm.tokens, cold.tokens);
    ASSERT_EQ(warm.logprobs.size(), cold.logprobs.size());
    for (size_t t = 0; t < cold.logprobs.size(); ++t)
        EXPECT_LE(rel_l2(warm.logprobs[t], cold.logprobs[t]), 1e-5) << "token " << t;
    expect_all_free(e);
}

TEST(Scheduler, DifferentCacheSaltsShareNothing) {
    ThreadPool pool(2);
    std::mt19937 rng(3);
    const auto prompt = random_tokens(rng, 100);
    Engine e(tiny_engine_model(), pool, options(4, 64, 16, 64 << 20, true));
    auto r = greedy(prompt, 2);
    r.cache_salt = "alice";
    EXPECT_EQ(collect(e.submit(r)).cached_tokens, 0);
    EXPECT_EQ(collect(e.submit(r)).cached_tokens, 96);
    r.cache_salt = "bob";
    EXPECT_EQ(collect(e.submit(r)).cached_tokens, 0);
}

TEST(Scheduler, PreemptionRecomputesToTheSameOutput) {
    ThreadPool pool(2);
    std::mt19937 rng(5);
    std::vector<GenerationRequest> reqs;
    for (int i = 0; i < 8; ++i) reqs.push_back(greedy(random_tokens(rng, 30 + 5 * i), 40));
    std::vector<std::vector<int32_t>> expect;
    {
        Engine e(tiny_engine_model(), pool, options(8, 256, 16, 64 << 20, false));
        for (const auto& r : reqs) expect.push_back(collect(e.submit(r)).tokens);
    }
    for (bool caching : {false, true}) {
        // 8 slots; about 24 blocks of 16 tokens for 8 sequences of up to 115 tokens.
        Engine e(tiny_engine_model(), pool, options(8, 256, 16, 500 * 1024, caching));
        ASSERT_LT(e.scheduler().blocks().num_blocks(), 40);
        std::vector<std::shared_ptr<RequestStream>> s;
        for (const auto& r : reqs) s.push_back(e.submit(r));
        for (size_t i = 0; i < reqs.size(); ++i) EXPECT_EQ(collect(s[i]).tokens, expect[i]) << i;
        expect_all_free(e);
        EXPECT_GT(e.scheduler().counters().preemptions, 0);
    }
}

// One seat, held by a running request while `low` (priority 5) and then `high` (priority -1) wait. The
// scheduler is stepped by hand: the step after the holder finishes admits one of them, which prefills
// and gives its only token, while the other has none yet. (Driven through an Engine, the test raced:
// on a loaded CI machine the holder finished before `high` was submitted, and a fast engine served the
// second request before the test thread looked at it.)
void expect_served_first(SchedulingPolicy policy, bool high_first) {
    ThreadPool pool(2);
    EngineOptions o = options(1, 64, 16, 64 << 20, false);
    o.policy = policy;
    EngineMetrics metrics;
    Scheduler s(tiny_engine_model(), pool, o, metrics);
    auto holder = std::make_shared<RequestStream>(1), sl = std::make_shared<RequestStream>(2),
         sh = std::make_shared<RequestStream>(3);
    s.add(greedy({5, 6, 7}, 3), holder);
    s.step();
    ASSERT_EQ(s.running(), 1);
    GenerationRequest low = greedy({8, 9}, 1), high = greedy({10, 11}, 1);
    low.priority = 5;
    high.priority = -1;
    s.add(low, sl);
    s.add(high, sh);
    for (TokenEvent ev; ev.finish == FinishReason::NONE;) {
        while (!holder->pop(ev, std::chrono::milliseconds(0))) s.step();
    }
    s.step();
    const auto first = high_first ? sh : sl, second = high_first ? sl : sh;
    TokenEvent ev;
    ASSERT_TRUE(first->pop(ev, std::chrono::milliseconds(0)));
    EXPECT_NE(ev.token, -1);
    EXPECT_FALSE(second->pop(ev, std::chrono::milliseconds(0)));
    while (!s.idle()) s.step();
    EXPECT_EQ(collect(second).tokens.size(), 1u);
}

TEST(Scheduler, PriorityPolicyOrdersTheWaitingQueueByPriority) {
    expect_served_first(SchedulingPolicy::PRIORITY, true);
}

TEST(Scheduler, FcfsPolicyIgnoresPriority) {
    expect_served_first(SchedulingPolicy::FCFS, false);
}

// vLLM's long_prefill_token_threshold: a 100-token prompt fed at most 16 tokens a step (budget 64) takes
// ceil(100 / 16) = 7 steps to its first token instead of 2, and gives the same tokens.
TEST(Scheduler, LongPrefillThresholdCapsAPromptsTokensPerStep) {
    ThreadPool pool(2);
    std::mt19937 rng(3);
    const auto prompt = random_tokens(rng, 100);
    auto run = [&](int64_t threshold) {
        EngineOptions o = options(4, 64, 16, 64 << 20, false);
        o.long_prefill_token_threshold = threshold;
        Engine e(tiny_engine_model(), pool, o);
        const auto out = collect(e.submit(greedy(prompt, 3)));
        test::drain(e);
        return std::make_pair(out.tokens, e.scheduler().counters().steps);
    };
    const auto [plain_tokens, plain_steps] = run(0);
    const auto [capped_tokens, capped_steps] = run(16);
    EXPECT_EQ(plain_steps, 2 + 2);  // the prompt's chunks, then two decode steps
    EXPECT_EQ(capped_steps, 7 + 2);
    EXPECT_EQ(capped_tokens, plain_tokens);
}

TEST(Scheduler, PromptLargerThanTheCacheIsAnError) {
    ThreadPool pool(2);
    Engine e(tiny_engine_model(), pool, options(4, 64, 16, 300 * 1024, false));
    std::mt19937 rng(1);
    const auto r = collect(e.submit(greedy(random_tokens(rng, 2000), 2)));
    EXPECT_EQ(r.finish, FinishReason::ERROR);
    EXPECT_EQ(collect(e.submit(greedy({5, 6}, 2))).tokens.size(), 2u);
}

// ≥ 500 requests with random lengths, shared prefixes and aborts under a budget small enough to
// preempt: every request ends exactly once, and afterwards every block and slot is free.
// Under SchedulingPolicy::PRIORITY every request also gets a random priority in {-1, 0, 1}, so the
// queues reorder and preemption picks its victims by priority.
void randomized_workload(SchedulingPolicy policy) {
    ThreadPool pool(2);
    std::mt19937 rng(2024);
    EngineOptions o = options(12, 128, 16, 600 * 1024, true);
    o.cache.snapshot_share = 0.3;
    o.policy = policy;
    Engine e(tiny_engine_model(), pool, o);
    std::vector<std::vector<int32_t>> bases;
    for (int i = 0; i < 4; ++i) bases.push_back(random_tokens(rng, 80));
    std::vector<std::vector<int32_t>> turns = {{}};  // earlier prompts that a next turn extends
    struct Live {
        std::shared_ptr<RequestStream> s;
        int64_t max_tokens;
        int abort_after;  // events before the client goes away; -1 = never
        int64_t got = 0;
        bool finished = false;
        FinishReason reason = FinishReason::NONE;
    };
    std::vector<Live> live;
    const int n = 520;
    for (int i = 0; i < n; ++i) {
        std::vector<int32_t> p;
        if (rng() % 2) {
            const auto& b = bases[rng() % bases.size()];
            p.assign(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(1 + rng() % b.size()));
        }
        const auto tail = random_tokens(rng, 1 + static_cast<int64_t>(rng() % 40));
        p.insert(p.end(), tail.begin(), tail.end());
        if (i % 4 == 3) p.insert(p.begin(), turns.back().begin(), turns.back().end());  // a next turn
        if (p.size() < 60) turns.push_back(p);
        GenerationRequest r = greedy(p, 1 + static_cast<int64_t>(rng() % 12));
        if (rng() % 3 == 0) r.sampling.temperature = 1.0;
        if (policy == SchedulingPolicy::PRIORITY) r.priority = static_cast<int64_t>(rng() % 3) - 1;
        const int abort_after = rng() % 5 == 0 ? static_cast<int>(rng() % 4) : -1;
        live.push_back({e.submit(r), r.sampling.max_tokens, abort_after});
        if (abort_after == 0) e.abort(live.back().s);
    }
    for (int done = 0; done < n;) {
        bool progress = false;
        for (auto& l : live) {
            if (l.finished) continue;
            TokenEvent ev;
            while (l.s->pop(ev, std::chrono::milliseconds(0))) {
                progress = true;
                if (ev.token >= 0) ++l.got;
                if (l.abort_after > 0 && l.got == l.abort_after) e.abort(l.s);
                if (ev.finish != FinishReason::NONE) {
                    l.finished = true;
                    l.reason = ev.finish;
                    ++done;
                    break;
                }
            }
        }
        if (!progress) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    int aborted = 0;
    for (auto& l : live) {
        TokenEvent ev;
        EXPECT_FALSE(l.s->pop(ev, std::chrono::milliseconds(0))) << "an event after the finish";
        EXPECT_LE(l.got, l.max_tokens);
        if (l.reason == FinishReason::ABORT) {
            ++aborted;
        } else {
            EXPECT_TRUE(l.reason == FinishReason::LENGTH || l.reason == FinishReason::STOP);
            if (l.reason == FinishReason::LENGTH) {
                EXPECT_EQ(l.got, l.max_tokens);
            }
        }
    }
    EXPECT_GT(aborted, 0);
    expect_all_free(e);
    EXPECT_GT(e.scheduler().counters().prefix_hits, 0);
    EXPECT_GT(e.scheduler().counters().preemptions, 0);
}

TEST(Scheduler, RandomizedWorkloadFreesEverything) {
    randomized_workload(SchedulingPolicy::FCFS);
}

TEST(Scheduler, RandomizedWorkloadWithPrioritiesFreesEverything) {
    randomized_workload(SchedulingPolicy::PRIORITY);
}

}  // namespace
}  // namespace hy
