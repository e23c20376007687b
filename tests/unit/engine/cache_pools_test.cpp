// The memory pieces of the scheduler: KV block ref counts, publication and LRU reuse; the Mamba slot
// pool; snapshot LRU; 16-bit SSM storage within its stated tolerance; Philox known answers and
// reproducible, unbiased stochastic rounding.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/dtype.h"
#include "engine/block_hash.h"
#include "engine/cache_options.h"
#include "engine/kv_block_pool.h"
#include "engine/mamba_snapshot_store.h"
#include "engine/philox.h"

namespace hy {
namespace {

TEST(KvBlockPool, RefCountsAndLruReuseOfPublishedBlocks) {
    KvBlockPool p(3, 4, 2, 8);
    const std::vector<int32_t> t1 = {1, 2, 3, 4}, t2 = {5, 6, 7, 8};
    const int32_t a = p.allocate(), b = p.allocate();
    ASSERT_GE(a, 0);
    ASSERT_GE(b, 0);
    EXPECT_EQ(p.num_free(), 1);
    const uint64_t ha = block_hash(chain_root(""), t1), hb = block_hash(chain_root(""), t2);
    p.publish(a, ha, chain_root(""), t1);
    p.publish(b, hb, chain_root(""), t2);
    EXPECT_EQ(p.find(ha, chain_root(""), t1), a);
    EXPECT_EQ(p.find(ha, chain_root(""), t2), -1);  // same hash, other tokens: no hit
    EXPECT_EQ(p.find(ha, chain_root("salt"), t1), -1);
    p.ref(a);
    p.release(a);
    EXPECT_EQ(p.ref_count(a), 1);
    p.release(a);  // published, free: still findable
    p.release(b);
    EXPECT_EQ(p.num_free(), 3);
    EXPECT_EQ(p.find(hb, chain_root(""), t2), b);
    // The never-used block goes first, then a (freed before b): b's content survives longest.
    const int32_t c1 = p.allocate();
    EXPECT_NE(c1, a);
    EXPECT_NE(c1, b);
    EXPECT_EQ(p.allocate(), a);
    EXPECT_EQ(p.find(ha, chain_root(""), t1), -1);
    EXPECT_EQ(p.find(hb, chain_root(""), t2), b);
    p.ref(b);  // a hit on a free cached block takes it off the free list
    EXPECT_EQ(p.num_free(), 0);
    EXPECT_EQ(p.allocate(), -1);
    // Pages of 4 tokens x 8 floats, layer-major: one layer's K pages side by side in block order, then
    // its V pages, then the next layer's. No two (block, layer, K/V) pages overlap.
    EXPECT_EQ(p.k(1, 0) - p.k(0, 0), 4 * 8);
    EXPECT_EQ(p.v(0, 0) - p.k(0, 0), 3 * 4 * 8);
    EXPECT_EQ(p.k(0, 1) - p.k(0, 0), 2 * 3 * 4 * 8);
}

TEST(BlockHash, ChainsOverThePrefix) {
    const std::vector<int32_t> x = {1, 2}, y = {3, 4};
    const uint64_t r = chain_root("");
    EXPECT_NE(block_hash(block_hash(r, x), y), block_hash(block_hash(r, y), y));
    EXPECT_EQ(block_hash(block_hash(r, x), y), block_hash(block_hash(r, x), y));
    EXPECT_NE(chain_root(""), chain_root("a"));
}

TEST(Philox, KnownAnswers) {
    // Random123 kat_vectors: philox4x32_10.
    auto z = philox4x32({0, 0, 0, 0}, {0, 0}, 10);
    EXPECT_EQ(z[0], 0x6627e8d5u);
    EXPECT_EQ(z[1], 0xe169c58du);
    EXPECT_EQ(z[2], 0xbc57ac4cu);
    EXPECT_EQ(z[3], 0x9b00dbd8u);
    auto f = philox4x32({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}, {0xffffffffu, 0xffffffffu}, 10);
    EXPECT_EQ(f[0], 0x408f276du);
    EXPECT_EQ(f[1], 0x41c83b0eu);
    EXPECT_EQ(f[2], 0xa20bc7c6u);
    EXPECT_EQ(f[3], 0x6d5451fdu);
}

std::vector<float> ssm_like(int64_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> d(0.0f, 3.0f);
    std::vector<float> v(static_cast<size_t>(n));
    for (auto& x : v) x = d(rng);
    return v;
}

// Round to nearest: |error| ≤ half an ulp — 2^-8 relative for bfloat16, 2^-11 for float16 (normal range).
TEST(SsmCacheDtype, NearestRoundingTolerance) {
    const auto x = ssm_like(4096, 1);
    for (auto [dt, tol] :
         {std::pair{SsmCacheDtype::BFLOAT16, 1.0 / 256}, std::pair{SsmCacheDtype::FLOAT16, 1.0 / 2048}}) {
        std::vector<uint16_t> s(x.size());
        std::vector<float> back(x.size());
        SnapshotRounding r;
        r.dtype = dt;
        store_ssm(x.data(), static_cast<int64_t>(x.size()), s.data(), r, 0);
        load_ssm(s.data(), static_cast<int64_t>(x.size()), back.data(), dt);
        for (size_t i = 0; i < x.size(); ++i)
            if (std::fabs(x[i]) > 1e-4f) {
                EXPECT_LE(std::fabs(back[i] - x[i]) / std::fabs(x[i]), tol) << x[i];
            }
    }
}

// Stochastic: |error| < one ulp, reproducible for the same stream, and unbiased on average.
TEST(SsmCacheDtype, StochasticRoundingIsReproducibleAndUnbiased) {
    for (SsmCacheDtype dt : {SsmCacheDtype::BFLOAT16, SsmCacheDtype::FLOAT16}) {
        SnapshotRounding r;
        r.dtype = dt;
        r.stochastic = true;
        r.seed = 42;
        const float x = 1.0f + 1.0f / 3.0f;  // between two representable values
        const int64_t n = 20000;
        std::vector<float> xs(static_cast<size_t>(n), x), back(static_cast<size_t>(n));
        std::vector<uint16_t> s1(static_cast<size_t>(n)), s2(static_cast<size_t>(n));
        store_ssm(xs.data(), n, s1.data(), r, 7);
        store_ssm(xs.data(), n, s2.data(), r, 7);
        EXPECT_EQ(s1, s2);
        load_ssm(s1.data(), n, back.data(), dt);
        double mean = 0;
        const double ulp = dt == SsmCacheDtype::BFLOAT16 ? 1.0 / 128 : 1.0 / 1024;
        for (float b : back) {
            mean += b;
            EXPECT_LT(std::fabs(b - x), ulp);
        }
        mean /= static_cast<double>(n);
        EXPECT_NEAR(mean, x, ulp / 20);  // nearest rounding alone would be off by ulp/3
        store_ssm(xs.data(), n, s2.data(), r, 8);
        EXPECT_NE(s1, s2);  // another snapshot, other random bits
    }
}

TEST(MambaSnapshotStore, EvictsLeastRecentlyUsed) {
    MambaSnapshotStore st(2, 2, 3, SnapshotRounding{});
    const float a[5] = {1, 2, 3, 4, 5}, b[5] = {6, 7, 8, 9, 10}, c[5] = {0, 0, 0, 0, 1};
    st.save(1, a);
    st.save(2, b);
    float out[5];
    ASSERT_TRUE(st.restore(1, out));  // 1 is now more recent than 2
    EXPECT_EQ(out[4], 5.0f);
    st.save(3, c);
    EXPECT_TRUE(st.contains(1));
    EXPECT_FALSE(st.contains(2));
    ASSERT_TRUE(st.restore(3, out));
    EXPECT_EQ(out[4], 1.0f);
}

// An end-of-prompt snapshot off a block boundary carries its tail (tokens + K/V rows); its bytes count
// against the same budget, and eviction drops it from the parent index.
TEST(MambaSnapshotStore, TailsCountAgainstTheBudget) {
    MambaSnapshotStore st(2, 2, 3, SnapshotRounding{});  // 2 x 20 bytes
    const float a[5] = {1, 2, 3, 4, 5}, b[5] = {6, 7, 8, 9, 10};
    SnapshotTail t;
    t.parent = 99;
    t.tokens = {4, 5};
    t.kv = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    const uint64_t key = tail_key(t.parent, t.tokens);
    EXPECT_NE(key, block_hash(99, std::vector<int32_t>{4, 5}));
    st.save(key, a, t);
    EXPECT_EQ(st.used_bytes(), 20 + 8 + 12);
    ASSERT_EQ(st.tails_after(99), std::vector<uint64_t>{key});
    ASSERT_NE(st.tail(key), nullptr);
    EXPECT_EQ(st.tail(key)->kv, t.kv);
    float out[5];
    ASSERT_TRUE(st.restore(key, out));
    EXPECT_EQ(out[4], 5.0f);
    st.save(1, b);  // 20 more bytes: over the 40-byte budget, so the tail snapshot goes
    EXPECT_FALSE(st.contains(key));
    EXPECT_TRUE(st.tails_after(99).empty());
    EXPECT_EQ(st.used_bytes(), 20);
    t.kv.resize(100);  // larger than the whole budget: not stored, nothing evicted
    st.save(tail_key(t.parent, t.tokens), a, t);
    EXPECT_TRUE(st.contains(1));
    EXPECT_EQ(st.size(), 1);
}

// K/V rows of a block out to bytes and into another block.
TEST(KvBlockPool, RowsCopyBetweenBlocks) {
    KvBlockPool pool(4, 8, 2, 3);
    const int32_t a = pool.allocate(), b = pool.allocate();
    for (int64_t l = 0; l < 2; ++l)
        for (int64_t i = 0; i < 8 * 3; ++i) {
            pool.k(a, l)[i] = static_cast<float>(100 * l + i);
            pool.v(a, l)[i] = static_cast<float>(-100 * l - i);
        }
    std::vector<uint8_t> bytes(static_cast<size_t>(pool.rows_bytes(5)));
    EXPECT_EQ(bytes.size(), 5u * 2 * 2 * 3 * sizeof(float));
    pool.read_rows(a, 5, bytes.data());
    pool.write_rows(b, 5, bytes.data());
    for (int64_t l = 0; l < 2; ++l)
        for (int64_t i = 0; i < 5 * 3; ++i) {
            EXPECT_EQ(pool.k(b, l)[i], pool.k(a, l)[i]);
            EXPECT_EQ(pool.v(b, l)[i], pool.v(a, l)[i]);
        }
}

TEST(CachePlan, SplitsTheBudget) {
    ModelConfig c;
    c.layers = {LayerKind::MAMBA, LayerKind::ATTENTION, LayerKind::MOE};
    c.hidden_size = 64;
    c.num_key_value_heads = 2;
    c.head_dim = 16;
    c.mamba_num_heads = 4;
    c.mamba_head_dim = 8;
    c.ssm_state_size = 8;
    c.n_groups = 1;
    CacheOptions o;
    o.block_size = 16;
    o.kv_cache_memory = 1 << 20;
    const CachePlan p = plan_cache(c, o, 4);
    EXPECT_EQ(p.num_slots, 4);
    EXPECT_EQ(p.block_bytes, 16 * 1 * 2 * 32 * 4);
    EXPECT_LE(p.num_blocks * p.block_bytes + p.num_slots * p.slot_bytes + p.num_snapshots * p.snapshot_bytes,
              p.budget_bytes);
    EXPECT_GT(p.num_snapshots, 0);
    o.snapshot_interval = 24;  // not a multiple of the block size
    EXPECT_THROW(plan_cache(c, o, 4), std::exception);
}

}  // namespace
}  // namespace hy
