// The matcher's automaton for one (grammar, vocabulary) pair, shared by every request that uses the
// grammar (issue 9, "Speed is the point").
//
// A parser configuration is a stack of return positions; stacks are interned as linked nodes
// (position, parent) so equal stacks are equal integers, and a parser state is an interned, sorted set
// of leaf stacks (those whose top is a byte set) plus the accept node. Byte transitions between states
// are memoised in a table, so the pushdown automaton turns into a lazily built DFA, and the token mask
// of a state is computed once by walking the vocabulary trie through that table, then cached by
// state id. For a grammar without unbounded recursion (every flat or nested schema without $ref
// cycles) the reachable states are finite, so after warm-up every mask is a cache hit (a copy).
//
// A miss does not walk the whole trie either (the xgrammar idea, by stack depth instead of by rule):
// each leaf stack is cut to its top kContextDepth frames over a sentinel, giving a "local" state
// shared by every context the same value appears in (every string field, every recursion depth).
// The local state's walk, cached, splits the vocabulary into tokens accepted whatever lies below
// the cut and the trie subtrees where some path popped into the sentinel; only those subtrees (for
// JSON: tokens that close a string or value and go on) are walked again with the real state.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hy::grammar {

class Grammar;
class TokenVocabulary;

class GrammarRuntime {
  public:
    static constexpr int32_t kDead = -2;

    GrammarRuntime(const Grammar& grammar, std::shared_ptr<const TokenVocabulary> vocab);

    // Every member below must be called with mutex() held.
    std::mutex& mutex() { return mutex_; }
    int32_t initial_state() const { return initial_; }
    bool can_end(int32_t state) const { return can_end_[static_cast<size_t>(state)] != 0; }
    int32_t advance(int32_t state, uint8_t byte) {
        int32_t t = trans_[static_cast<size_t>(state) * 256 + byte];
        return t != kUnknown ? t : compute_transition(state, byte);
    }
    int32_t advance(int32_t state, std::string_view bytes) {
        for (unsigned char b : bytes) {
            state = advance(state, b);
            if (state == kDead) break;
        }
        return state;
    }
    // The allowed non-special tokens of a state, vocab->mask_words() words (special bits clear).
    const std::vector<uint32_t>& token_mask(int32_t state);

    const TokenVocabulary* vocabulary() const { return vocab_.get(); }
    size_t state_count() const { return sets_.size(); }
    size_t cached_masks() const { return cached_count_; }
    // Upper bound on bytes of cached masks; over it the cache is emptied and refilled.
    void set_mask_cache_limit(size_t bytes) { cache_limit_ = bytes; }
    void clear_mask_cache();  // drops cached masks (benchmarks of the miss path)

  private:
    static constexpr int32_t kUnknown = -1;
    static constexpr uint32_t kAccept = 0;    // node 0: the empty stack (the root rule finished)
    static constexpr uint32_t kSentinel = 1;  // node 1: below a cut stack (context unknown)
    static constexpr size_t kContextDepth = 3;

    struct LocalMask {
        std::vector<uint32_t> certain;  // tokens accepted whatever the context
        std::vector<uint32_t> escapes;  // trie nodes whose subtrees need the real state
    };

    uint32_t node(uint32_t pos, uint32_t parent);
    void closure(uint32_t node, std::vector<uint32_t>& out);
    int32_t intern_set(std::vector<uint32_t>& leaves);
    int32_t compute_transition(int32_t state, uint8_t byte);
    uint32_t cut(uint32_t node, size_t depth);
    int32_t local_state(int32_t state);
    const LocalMask& local_mask(int32_t local);
    void walk(int32_t state, size_t begin, size_t end, std::vector<uint32_t>& mask);

    const Grammar& g_;
    std::shared_ptr<const TokenVocabulary> vocab_;
    std::mutex mutex_;

    std::vector<uint32_t> node_pos_, node_parent_;
    std::unordered_map<uint64_t, uint32_t> node_ids_;
    std::vector<uint32_t> visit_mark_;
    uint32_t stamp_ = 0;
    std::vector<uint32_t> work_;

    struct VecHash {
        size_t operator()(const std::vector<uint32_t>& v) const noexcept {
            uint64_t h = 0xcbf29ce484222325ull;
            for (uint32_t x : v) h = (h ^ x) * 0x100000001b3ull;
            return static_cast<size_t>(h);
        }
    };
    std::vector<std::vector<uint32_t>> sets_;
    std::unordered_map<std::vector<uint32_t>, int32_t, VecHash> set_ids_;
    std::vector<int32_t> trans_;
    std::vector<uint8_t> can_end_;
    int32_t initial_ = kDead;

    std::vector<std::vector<uint32_t>> masks_;  // by state; empty = not cached
    size_t cached_count_ = 0, cache_bytes_ = 0, cache_limit_ = size_t{64} << 20;
    std::vector<int32_t> walk_states_;
    std::vector<int32_t> local_of_;  // by state: its local (cut) state, -1 = not computed
    std::unordered_map<int32_t, LocalMask> local_masks_;
    std::string prefix_;
};

}  // namespace hy::grammar
