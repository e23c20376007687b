#include "engine/grammar/grammar_runtime.h"

#include <algorithm>

#include "core/error.h"
#include "engine/grammar/grammar.h"
#include "engine/grammar/token_vocabulary.h"

namespace hy::grammar {

namespace {
// A request that drives the automaton past this many states is pathological (or adversarial);
// failing it beats exhausting memory.
constexpr size_t kMaxStates = 4'000'000;
constexpr size_t kMaxNodes = 64'000'000;
}  // namespace

GrammarRuntime::GrammarRuntime(const Grammar& grammar, std::shared_ptr<const TokenVocabulary> vocab)
    : g_(grammar), vocab_(std::move(vocab)) {
    node_pos_.assign({UINT32_MAX, UINT32_MAX});  // kAccept, kSentinel
    node_parent_.assign({UINT32_MAX, UINT32_MAX});
    std::vector<uint32_t> leaves;
    ++stamp_;
    closure(node(0, kAccept), leaves);
    initial_ = intern_set(leaves);
    if (vocab_) walk_states_.resize(vocab_->max_token_bytes() + 1);
}

uint32_t GrammarRuntime::node(uint32_t pos, uint32_t parent) {
    uint64_t key = (uint64_t{pos} << 32) | parent;
    auto [it, inserted] = node_ids_.try_emplace(key, static_cast<uint32_t>(node_pos_.size()));
    if (inserted) {
        if (node_pos_.size() >= kMaxNodes) throw Error("grammar matcher: parser state grew too large", 400);
        node_pos_.push_back(pos);
        node_parent_.push_back(parent);
    }
    return it->second;
}

// Expands a stack until its top is a byte set, following rule references (push) and alternative ends
// (pop); appends the leaves to out. Left recursion is rejected at compile time and tail references
// reuse the caller's frame, so this terminates; visit_mark_ stops re-expansion within one step.
void GrammarRuntime::closure(uint32_t start, std::vector<uint32_t>& out) {
    const auto& el = g_.elements();
    const auto& alts = g_.rule_alternatives();
    work_.clear();
    work_.push_back(start);
    while (!work_.empty()) {
        uint32_t n = work_.back();
        work_.pop_back();
        if (visit_mark_.size() <= n) visit_mark_.resize(node_pos_.size() + 1024, 0);
        if (visit_mark_[n] == stamp_) continue;
        visit_mark_[n] = stamp_;
        if (n == kAccept || n == kSentinel) {
            out.push_back(n);
            continue;
        }
        uint32_t pos = node_pos_[n];
        int32_t e = el[pos];
        if (e >= 0) {
            out.push_back(n);
        } else if (e == Grammar::kEnd) {
            work_.push_back(node_parent_[n]);
        } else {
            uint32_t parent = node_parent_[n];
            uint32_t ret = el[pos + 1] == Grammar::kEnd ? parent : node(pos + 1, parent);
            for (uint32_t s : alts[Grammar::ref_rule(e)]) work_.push_back(node(s, ret));
        }
    }
}

int32_t GrammarRuntime::intern_set(std::vector<uint32_t>& leaves) {
    if (leaves.empty()) return kDead;
    std::sort(leaves.begin(), leaves.end());
    leaves.erase(std::unique(leaves.begin(), leaves.end()), leaves.end());
    auto [it, inserted] = set_ids_.try_emplace(leaves, static_cast<int32_t>(sets_.size()));
    if (inserted) {
        if (sets_.size() >= kMaxStates) throw Error("grammar matcher: automaton grew too large", 400);
        sets_.push_back(leaves);
        trans_.resize(sets_.size() * 256, kUnknown);
        can_end_.push_back(leaves.front() == kAccept ? 1 : 0);
    }
    return it->second;
}

int32_t GrammarRuntime::compute_transition(int32_t state, uint8_t byte) {
    const auto& el = g_.elements();
    const auto& sets = g_.byte_sets();
    std::vector<uint32_t> next;
    ++stamp_;
    // Copy: closure() may intern nodes but never sets, yet keep this independent of sets_ growth.
    const std::vector<uint32_t> leaves = sets_[static_cast<size_t>(state)];
    for (uint32_t n : leaves) {
        if (n == kAccept || n == kSentinel) continue;
        uint32_t pos = node_pos_[n];
        if (!sets[static_cast<size_t>(el[pos])].test(byte)) continue;
        closure(node(pos + 1, node_parent_[n]), next);
    }
    int32_t t = intern_set(next);
    trans_[static_cast<size_t>(state) * 256 + byte] = t;
    return t;
}

void GrammarRuntime::clear_mask_cache() {
    for (auto& m : masks_) std::vector<uint32_t>().swap(m);
    local_masks_.clear();
    cache_bytes_ = 0;
    cached_count_ = 0;
}

// The walk of the vocabulary trie nodes [begin, end) from `state` (the state before node begin's
// byte): sets the bit of every token whose bytes keep the automaton alive.
void GrammarRuntime::walk(int32_t state, size_t begin, size_t end, std::vector<uint32_t>& mask) {
    const auto& trie = vocab_->trie();
    const auto& toks = vocab_->trie_tokens();
    const size_t base = trie[begin].depth - 1u;
    walk_states_[base] = state;
    for (size_t k = begin; k < end;) {
        const auto& nd = trie[k];
        int32_t t = advance(walk_states_[nd.depth - 1], nd.byte);
        if (t == kDead) {
            k = nd.subtree_end;
            continue;
        }
        walk_states_[nd.depth] = t;
        for (uint32_t i = nd.token_begin; i < nd.token_end; ++i) mask[toks[i] >> 5] |= 1u << (toks[i] & 31);
        ++k;
    }
}

uint32_t GrammarRuntime::cut(uint32_t n, size_t depth) {
    if (n == kAccept) return kAccept;
    if (depth == 0) return kSentinel;
    return node(node_pos_[n], cut(node_parent_[n], depth - 1));
}

int32_t GrammarRuntime::local_state(int32_t state) {
    size_t s = static_cast<size_t>(state);
    if (local_of_.size() <= s) local_of_.resize(sets_.size(), -1);
    if (local_of_[s] < 0) {
        std::vector<uint32_t> leaves;
        for (uint32_t n : sets_[s]) leaves.push_back(cut(n, kContextDepth));
        int32_t local = intern_set(leaves);
        if (local_of_.size() <= s) local_of_.resize(sets_.size(), -1);
        local_of_[s] = local;
    }
    return local_of_[s];
}

// The context-free part of a local state's mask: a token is certain when some path consumes it
// without reaching the sentinel; a trie node where a path reaches the sentinel is an escape, and its
// whole subtree is left to the real state.
const GrammarRuntime::LocalMask& GrammarRuntime::local_mask(int32_t local) {
    auto found = local_masks_.find(local);
    if (found != local_masks_.end()) return found->second;
    LocalMask lm;
    lm.certain.assign(vocab_->mask_words(), 0);
    const auto& trie = vocab_->trie();
    const auto& toks = vocab_->trie_tokens();
    walk_states_[0] = local;
    for (size_t k = 0; k < trie.size();) {
        const auto& nd = trie[k];
        int32_t t = advance(walk_states_[nd.depth - 1], nd.byte);
        if (t == kDead) {
            k = nd.subtree_end;
            continue;
        }
        const auto& leaves = sets_[static_cast<size_t>(t)];
        bool escaped = std::binary_search(leaves.begin(), leaves.end(), kSentinel);
        if (escaped) {
            lm.escapes.push_back(static_cast<uint32_t>(k));
            k = nd.subtree_end;
            continue;
        }
        walk_states_[nd.depth] = t;
        for (uint32_t i = nd.token_begin; i < nd.token_end; ++i)
            lm.certain[toks[i] >> 5] |= 1u << (toks[i] & 31);
        ++k;
    }
    cache_bytes_ += lm.certain.size() * 4 + lm.escapes.size() * 4;
    return local_masks_.emplace(local, std::move(lm)).first->second;
}

const std::vector<uint32_t>& GrammarRuntime::token_mask(int32_t state) {
    HY_ASSERT(vocab_ != nullptr);
    size_t s = static_cast<size_t>(state);
    if (masks_.size() <= s) masks_.resize(sets_.size());
    if (!masks_[s].empty()) return masks_[s];
    const size_t words = vocab_->mask_words();
    if (cache_bytes_ + words * 4 > cache_limit_) clear_mask_cache();
    const int32_t local = local_state(state);
    std::vector<uint32_t> mask = local_mask(local).certain;
    if (local != state) {
        const auto& trie = vocab_->trie();
        const auto& toks = vocab_->trie_tokens();
        const std::vector<uint32_t> escapes = local_mask(local).escapes;
        for (uint32_t k : escapes) {
            prefix_.clear();
            for (uint32_t a = k; a != UINT32_MAX; a = trie[a].parent)
                prefix_ += static_cast<char>(trie[a].byte);
            int32_t t = state;
            for (size_t i = prefix_.size(); i-- > 0 && t != kDead;)
                t = advance(t, static_cast<uint8_t>(prefix_[i]));
            if (t == kDead) continue;
            const auto& nd = trie[k];
            for (uint32_t i = nd.token_begin; i < nd.token_end; ++i)
                mask[toks[i] >> 5] |= 1u << (toks[i] & 31);
            if (nd.subtree_end > k + 1) walk(t, k + 1, nd.subtree_end, mask);
        }
    }
    if (masks_.size() <= s) masks_.resize(sets_.size());
    cache_bytes_ += words * 4;
    ++cached_count_;
    masks_[s] = std::move(mask);
    return masks_[s];
}

}  // namespace hy::grammar
