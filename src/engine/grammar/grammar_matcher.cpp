#include "engine/grammar/grammar_matcher.h"

#include <cstring>

#include "core/error.h"
#include "engine/grammar/grammar.h"
#include "engine/grammar/grammar_runtime.h"
#include "engine/grammar/token_vocabulary.h"

namespace hy::grammar {

GrammarMatcher::GrammarMatcher(std::shared_ptr<const Grammar> grammar,
                               std::shared_ptr<const TokenVocabulary> vocab)
    : grammar_(std::move(grammar)), vocab_(std::move(vocab)) {
    HY_ASSERT(grammar_ != nullptr);
    rt_ = grammar_->runtime(vocab_);
    std::lock_guard lock(rt_->mutex());
    state_ = rt_->initial_state();
}

GrammarMatcher::~GrammarMatcher() = default;
GrammarMatcher::GrammarMatcher(GrammarMatcher&&) noexcept = default;
GrammarMatcher& GrammarMatcher::operator=(GrammarMatcher&&) noexcept = default;

size_t GrammarMatcher::mask_words() const {
    return vocab_ ? vocab_->mask_words() : 0;
}

void GrammarMatcher::fill_next_token_mask(uint32_t* bitmask) {
    HY_ASSERT(vocab_ != nullptr);
    const size_t words = vocab_->mask_words();
    bool end_ok = terminated_;
    if (terminated_ || state_ == GrammarRuntime::kDead) {
        std::memset(bitmask, 0, words * sizeof(uint32_t));
    } else {
        std::lock_guard lock(rt_->mutex());
        const auto& mask = rt_->token_mask(state_);
        std::memcpy(bitmask, mask.data(), words * sizeof(uint32_t));
        end_ok = rt_->can_end(state_);
    }
    if (end_ok)
        for (uint32_t id : vocab_->eos_ids()) bitmask[id >> 5] |= 1u << (id & 31);
}

bool GrammarMatcher::accept_token(uint32_t token_id) {
    HY_ASSERT(vocab_ != nullptr);
    if (token_id >= vocab_->size()) return false;
    if (vocab_->is_eos(token_id)) {
        if (!terminated_ && !can_end()) return false;
        history_.push_back({state_, terminated_});
        terminated_ = true;
        return true;
    }
    if (terminated_ || vocab_->is_special(token_id)) return false;
    const std::string& bytes = vocab_->token_bytes(token_id);
    if (bytes.empty()) return false;
    return accept_bytes(bytes);
}

bool GrammarMatcher::accept_bytes(std::string_view bytes) {
    if (terminated_ || state_ == GrammarRuntime::kDead) return false;
    int32_t next;
    {
        std::lock_guard lock(rt_->mutex());
        next = rt_->advance(state_, bytes);
    }
    if (next == GrammarRuntime::kDead) return false;
    history_.push_back({state_, terminated_});
    state_ = next;
    return true;
}

bool GrammarMatcher::can_end() const {
    if (state_ == GrammarRuntime::kDead) return false;
    std::lock_guard lock(rt_->mutex());
    return rt_->can_end(state_);
}

bool GrammarMatcher::rollback(size_t n) {
    if (n > history_.size()) return false;
    for (; n > 0; --n) {
        state_ = history_.back().state;
        terminated_ = history_.back().terminated;
        history_.pop_back();
    }
    return true;
}

void GrammarMatcher::reset() {
    rollback(history_.size());
}

size_t GrammarMatcher::runtime_state_count() const {
    std::lock_guard lock(rt_->mutex());
    return rt_->state_count();
}

size_t GrammarMatcher::runtime_cached_masks() const {
    std::lock_guard lock(rt_->mutex());
    return rt_->cached_masks();
}

}  // namespace hy::grammar
