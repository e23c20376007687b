#include "engine/scheduler.h"

#include <algorithm>
#include <random>

#include "core/error.h"
#include "engine/block_hash.h"
#include "engine/logprobs.h"

namespace hy {

struct Scheduler::Request {
    uint64_t arrival = 0;    // FCFS order
    uint64_t admission = 0;  // order of the latest admission (preemption victim = the largest)
    GenerationRequest req;
    std::shared_ptr<RequestStream> stream;
    std::unique_ptr<Sampler> sampler;
    std::vector<int32_t> tokens;  // prompt, then every emitted token
    int64_t prompt_len = 0;
    int64_t num_computed = 0;                   // tokens whose K/V and Mamba state are in `state`
    std::unique_ptr<PagedSequenceState> state;  // null while waiting
    uint64_t root = 0;                          // hash chain start (cache_salt)
    std::vector<uint64_t> hashes;               // chain hash of each full block of `tokens`
    int64_t published = 0;                      // blocks of `state` offered to the prefix cache
    int64_t n_new = 0;                          // this step's tokens
    int64_t cached_tokens = -1;                 // prefix hit of the first admission (usage details)
    uint64_t hit_tail = 0;                      // lookup_prefix: key of the tail snapshot resumed, or 0
    std::vector<PromptLogprob> prompt_lp;       // req.prompt_logprobs >= 0: filled while prefilling
    bool done = false;
    RequestTimeline times;
    // Speculative decoding (docs/engine.md): MTP state and drafts, this step's fed [last, drafts...],
    // and the Mamba state after each fed token for the rollback.
    MtpSequence mtp;
    std::unique_ptr<MambaStepStates> steps;
    std::vector<int32_t> feed;
    int64_t n_drafts = 0;  // drafts fed this step
};

namespace {

std::vector<int64_t> attention_index(const ModelConfig& c) {
    std::vector<int64_t> idx;
    int64_t a = 0;
    for (LayerKind k : c.layers) idx.push_back(k == LayerKind::ATTENTION ? a++ : -1);
    return idx;
}

int64_t ceil_div(int64_t a, int64_t b) {
    return (a + b - 1) / b;
}

// The Mamba state after t tokens of a sequence: keyed by block t/B's chain hash on a block boundary,
// else stored with its tail (the tokens and K/V rows after the last full block, SnapshotTail).
void save_snapshot(MambaSnapshotStore& store, KvBlockPool& blocks, const std::vector<int32_t>& tokens,
                   const std::vector<uint64_t>& hashes, uint64_t root, const std::vector<int32_t>& table,
                   int64_t t, const float* slot) {
    const int64_t B = blocks.block_size(), j = t / B, rows = t % B;
    if (rows == 0) return store.save(hashes[static_cast<size_t>(j - 1)], slot);
    SnapshotTail tail;
    tail.parent = j == 0 ? root : hashes[static_cast<size_t>(j - 1)];
    tail.tokens.assign(tokens.begin() + j * B, tokens.begin() + t);
    const uint64_t key = tail_key(tail.parent, tail.tokens);
    if (store.contains(key)) return store.save(key, slot);  // refreshes its LRU place only
    tail.kv.resize(static_cast<size_t>(blocks.rows_bytes(rows)));
    blocks.read_rows(table[static_cast<size_t>(j)], rows, tail.kv.data());
    store.save(key, slot, std::move(tail));
}

}  // namespace

Scheduler::Scheduler(const ModelWeights& weights, ThreadPool& pool, EngineOptions options,
                     EngineMetrics& metrics)
    : opt_(options),
      metrics_(metrics),
      pool_(pool),
      fwd_(weights, pool),
      plan_(plan_cache(weights.config, options.cache, options.max_num_seqs)),
      blocks_(plan_.num_blocks, options.cache.block_size,
              std::count(weights.config.layers.begin(), weights.config.layers.end(), LayerKind::ATTENTION),
              weights.config.num_key_value_heads * weights.config.head_dim, options.cache.kv_dtype,
              std::max<int64_t>(1, weights.config.num_key_value_heads)),
      slots_(plan_.num_slots, weights.config),
      snapshots_(plan_.num_snapshots, slots_.conv_floats(), slots_.ssm_floats(), options.cache.ssm_cache),
      attn_index_(attention_index(weights.config)),
      vocab_(weights.embeddings.rows()),
      seed_counter_(std::random_device{}()) {
    if (options.num_speculative_tokens > 0)
        mtp_ = std::make_unique<MtpDrafter>(fwd_, options.num_speculative_tokens);
    metrics_.set_num_speculative_tokens(options.num_speculative_tokens);
}

Scheduler::~Scheduler() = default;

bool Scheduler::speculating(const Request& r) const {
    (void)r;  // every request speculates; verification goes through its own sampler and constraint
    return mtp_ != nullptr;
}

// Drafts to feed after the last token: only for a decoding sequence (every earlier token computed),
// within the step's token budget.
int64_t Scheduler::decode_drafts(const Request& r, int64_t budget) const {
    if (!speculating(r) || r.num_computed + 1 != static_cast<int64_t>(r.tokens.size())) return 0;
    return std::clamp<int64_t>(budget - 1, 0, static_cast<int64_t>(r.mtp.drafts.size()));
}

bool Scheduler::caching() const {
    return opt_.cache.enable_prefix_caching && opt_.cache.mamba_cache_mode != MambaCacheMode::NONE &&
           snapshots_.capacity() > 0;
}

int64_t Scheduler::rank(const Request& r) const {
    return opt_.policy == SchedulingPolicy::PRIORITY ? r.req.priority : 0;
}

void Scheduler::insert_waiting(Ptr r) {
    auto before = [&](const Ptr& a, const Ptr& b) {
        return rank(*a) != rank(*b) ? rank(*a) < rank(*b) : a->arrival < b->arrival;
    };
    waiting_.insert(std::upper_bound(waiting_.begin(), waiting_.end(), r, before), std::move(r));
}

void Scheduler::add(GenerationRequest request, std::shared_ptr<RequestStream> stream) {
    auto r = std::make_unique<Request>();
    r->arrival = arrivals_++;
    r->req = std::move(request);
    r->stream = std::move(stream);
    r->times.arrival = r->stream->arrival();
    r->tokens = r->req.prompt;
    r->prompt_len = static_cast<int64_t>(r->tokens.size());
    r->root = chain_root(r->req.cache_salt);
    // Unseeded requests draw from a per-engine counter mixed by SplitMix inside mt19937_64's seeding.
    r->sampler = std::make_unique<Sampler>(r->req.sampling, r->req.eos_token_ids, r->req.prompt,
                                           seed_counter_ * 0x9E3779B97F4A7C15ull + 1);
    ++seed_counter_;
    if (r->tokens.empty()) return finish(*r, FinishReason::ERROR, "empty prompt");
    for (int32_t t : r->tokens)
        if (t < 0 || t >= vocab_)
            return finish(*r, FinishReason::ERROR,
                          "token id " + std::to_string(t) + " is outside the vocabulary (0.." +
                              std::to_string(vocab_ - 1) + ")");
    // A prompt that can never be resident would wait forever.
    if (ceil_div(r->prompt_len + 1, blocks_.block_size()) > blocks_.num_blocks())
        return finish(*r, FinishReason::ERROR,
                      "the prompt (" + std::to_string(r->prompt_len) +
                          " tokens) does not fit in the KV cache (" + std::to_string(plan_.max_tokens) +
                          " tokens); raise --kv-cache-memory");
    insert_waiting(std::move(r));
}

void Scheduler::finish(Request& r, FinishReason reason, std::string error) {
    if (r.done) return;
    r.done = true;
    r.state.reset();  // blocks (published ones stay cached) and the slot go back at once
    ++counters_.finished;
    metrics_.on_finished(r.times, reason == FinishReason::ABORT ? r.stream->abort_reason() : reason,
                         r.prompt_len, r.req.sampling.max_tokens);
    TokenEvent ev;
    ev.finish = reason;
    ev.error = std::move(error);
    r.stream->push(std::move(ev));
}

void Scheduler::abort_all() {
    for (auto& r : running_) finish(*r, FinishReason::ABORT);
    for (auto& r : waiting_) finish(*r, FinishReason::ABORT);
    running_.clear();
    waiting_.clear();
}

void Scheduler::ensure_hashes(Request& r, int64_t n_blocks) {
    const int64_t B = blocks_.block_size();
    n_blocks = std::min<int64_t>(n_blocks, static_cast<int64_t>(r.tokens.size()) / B);
    while (static_cast<int64_t>(r.hashes.size()) < n_blocks) {
        const int64_t i = static_cast<int64_t>(r.hashes.size());
        const uint64_t parent = i == 0 ? r.root : r.hashes.back();
        r.hashes.push_back(block_hash(parent, std::span<const int32_t>(r.tokens).subspan(
                                                  static_cast<size_t>(i * B), static_cast<size_t>(B))));
    }
}

// Tokens resumable from the cache: the longest prefix with its full blocks cached and a snapshot at
// its end, either on a block boundary or at the end of an earlier prompt (a tail snapshot, whose
// partial-block rows come with it; its key goes to r.hit_tail).
int64_t Scheduler::lookup_prefix(Request& r) {
    r.hit_tail = 0;
    if (!caching() || r.req.prompt_logprobs >= 0) return 0;  // cached positions have no logits
    const int64_t B = blocks_.block_size(), n = static_cast<int64_t>(r.tokens.size());
    const int64_t limit = (n - 1) / B;  // at least one token to compute
    ensure_hashes(r, limit);
    int64_t best = 0, full = 0;
    for (; full < limit; ++full) {
        const int64_t i = full;
        const uint64_t parent = i == 0 ? r.root : r.hashes[static_cast<size_t>(i - 1)];
        const auto toks =
            std::span<const int32_t>(r.tokens).subspan(static_cast<size_t>(i * B), static_cast<size_t>(B));
        if (blocks_.find(r.hashes[static_cast<size_t>(i)], parent, toks) < 0) break;
        if (snapshots_.contains(r.hashes[static_cast<size_t>(i)])) best = (i + 1) * B;
    }
    // A tail after block j ends inside block j, beyond every boundary up to j·B: search from the last
    // cached block down and stop at the first j with a matching tail.
    for (int64_t j = full; j >= 0 && (j + 1) * B > best + 1; --j) {
        const uint64_t parent = j == 0 ? r.root : r.hashes[static_cast<size_t>(j - 1)];
        for (uint64_t key : snapshots_.tails_after(parent)) {
            const SnapshotTail* t = snapshots_.tail(key);
            const int64_t end = j * B + static_cast<int64_t>(t->tokens.size());
            if (end <= best || end >= n ||
                !std::equal(t->tokens.begin(), t->tokens.end(), r.tokens.begin() + j * B))
                continue;
            best = end;
            r.hit_tail = key;
        }
        if (r.hit_tail != 0) break;
    }
    return best;
}

// Tokens to feed this step: everything left (a decode step is 1) within the budget. Snapshot
// boundaries inside the chunk do not cut it: the Mamba layers capture the state there.
int64_t Scheduler::chunk(const Request& r, int64_t budget) const {
    int64_t n = static_cast<int64_t>(r.tokens.size()) - r.num_computed;
    if (opt_.long_prefill_token_threshold > 0) n = std::min(n, opt_.long_prefill_token_threshold);
    return std::min(n, budget);
}

// A token boundary whose Mamba state is kept (--mamba-cache-mode): every block (all), or the last
// block boundary before the prompt's end and every snapshot_interval tokens (align); in both, the
// prompt's end itself, the turn boundary that a next chat turn extends (off a block boundary it is
// stored with its partial block's rows, SnapshotTail).
bool Scheduler::snapshot_point(const Request& r, int64_t t) const {
    const int64_t B = blocks_.block_size();
    if (caching() && t > 0 && (t == r.prompt_len || t == r.req.turn_start)) return true;
    if (!caching() || t <= 0 || t % B != 0) return false;
    const int64_t every =
        opt_.cache.mamba_cache_mode == MambaCacheMode::ALL ? B : opt_.cache.snapshot_interval;
    return t % every == 0 || t == (r.prompt_len - 1) / B * B;
}

// Blocks for num_computed + n tokens; false when the pool is out of free blocks.
bool Scheduler::grow(Request& r, int64_t n) {
    const int64_t need =
        ceil_div(r.num_computed + n, blocks_.block_size()) - static_cast<int64_t>(r.state->blocks().size());
    if (need > blocks_.num_free()) return false;
    for (int64_t i = 0; i < need; ++i) r.state->append_block(blocks_.allocate());
    return true;
}

bool Scheduler::admit(Request& r, int64_t budget) {
    const int32_t slot = slots_.acquire();
    if (slot < 0) return false;
    auto state = std::make_unique<PagedSequenceState>(blocks_, slots_, attn_index_, slot);
    const int64_t B = blocks_.block_size();
    const int64_t hit_tokens = lookup_prefix(r), hit = hit_tokens / B;
    // Hit blocks that sit in the free list stop being allocatable once referenced.
    int64_t hit_free = 0;
    std::vector<int32_t> hit_blocks;
    for (int64_t i = 0; i < hit; ++i) {
        const uint64_t parent = i == 0 ? r.root : r.hashes[static_cast<size_t>(i - 1)];
        const auto toks =
            std::span<const int32_t>(r.tokens).subspan(static_cast<size_t>(i * B), static_cast<size_t>(B));
        hit_blocks.push_back(blocks_.find(r.hashes[static_cast<size_t>(i)], parent, toks));
        hit_free += blocks_.ref_count(hit_blocks.back()) == 0;
    }
    r.num_computed = hit_tokens;
    const int64_t n = chunk(r, budget);
    const int64_t need = ceil_div(r.num_computed + n, B) - hit;
    if (need > blocks_.num_free() - hit_free) {
        r.num_computed = 0;
        return false;  // `state` gives the slot back
    }
    for (int32_t b : hit_blocks) {
        blocks_.ref(b);
        state->append_block(b);
    }
    if (r.hit_tail != 0) {  // the partial block: a private copy of the tail's rows
        const SnapshotTail* tail = snapshots_.tail(r.hit_tail);
        const int32_t b = blocks_.allocate();
        blocks_.write_rows(b, static_cast<int64_t>(tail->tokens.size()), tail->kv.data());
        state->append_block(b);
        snapshots_.restore(r.hit_tail, state->slot_data());
    } else if (hit > 0) {
        snapshots_.restore(r.hashes[static_cast<size_t>(hit - 1)], state->slot_data());
    }
    state->set_n_past(r.num_computed);
    r.state = std::move(state);
    if (speculating(r)) {
        mtp_->start(r.mtp, r.num_computed);
        if (!r.steps) r.steps = std::make_unique<MambaStepStates>(slots_);
    }
    r.n_drafts = 0;
    r.published = hit;
    if (r.cached_tokens < 0) r.cached_tokens = hit_tokens;
    counters_.prefix_queries += static_cast<int64_t>(r.tokens.size());
    counters_.prefix_hits += hit_tokens;
    if (caching()) metrics_.on_prefix_cache_query(static_cast<int64_t>(r.tokens.size()), hit_tokens);
    r.admission = admissions_++;
    return true;
}

void Scheduler::preempt(Request& r) {
    r.state.reset();
    r.mtp.drafts.clear();  // admit() restarts the MTP state where the trunk resumes
    r.num_computed = 0;
    r.published = 0;
    r.n_new = 0;
    ++counters_.preemptions;
    metrics_.on_preemption();
}

void Scheduler::step() {
    drop_aborted();
    if (idle()) return;
    wake_streams();  // left by a step that threw

    int64_t budget = opt_.max_num_batched_tokens;
    std::vector<Request*> sched;
    const bool preempted = schedule_running(budget, sched);
    if (!preempted) admit_waiting(budget, sched);
    std::erase_if(waiting_, [](const Ptr& r) { return r->done; });
    if (sched.empty()) return;

    std::vector<SequenceInput> batch;
    std::vector<char> prompt_rows;  // the rows feed prompt_logprobs
    build_batch(sched, batch, prompt_rows);
    metrics_.on_iteration(opt_.max_num_batched_tokens - budget);
    ++counters_.steps;
    const ForwardOutput* out = nullptr;
    try {
        out = &fwd_.run(batch);
    } catch (const std::exception& e) {
        for (Request* r : sched) finish(*r, FinishReason::ERROR, e.what());
        std::erase_if(running_, [](const Ptr& r) { return r->done; });
        return;
    }
    take_outputs(sched, batch, prompt_rows, *out);
    finish_step(sched);
}

// Aborted requests (client gone) leave before any work is spent on them; their memory is freed here.
void Scheduler::drop_aborted() {
    for (auto& r : running_)
        if (r->stream->abort_requested()) finish(*r, FinishReason::ABORT);
    for (auto& r : waiting_)
        if (r->stream->abort_requested()) finish(*r, FinishReason::ABORT);
    std::erase_if(running_, [](const Ptr& r) { return r->done; });
    std::erase_if(waiting_, [](const Ptr& r) { return r->done; });
}

// Running requests, in order, get their next tokens (a decode token with its drafts, or a prompt
// chunk) while the budget lasts; one that cannot grow preempts from the back of the order. True when
// anyone was preempted (then no waiting request is admitted this step).
bool Scheduler::schedule_running(int64_t& budget, std::vector<Request*>& sched) {
    bool preempted = false;
    // Running requests in admission order (victims come off the back, so they are never ones already
    // scheduled this step).
    std::stable_sort(running_.begin(), running_.end(), [&](const Ptr& a, const Ptr& b) {
        return rank(*a) != rank(*b) ? rank(*a) < rank(*b) : a->admission < b->admission;
    });
    for (size_t i = 0; i < running_.size() && budget > 0;) {
        Request& r = *running_[i];
        r.n_drafts = decode_drafts(r, budget);
        int64_t n = chunk(r, budget) + r.n_drafts;
        bool fits = true;
        while (!grow(r, n)) {
            if (r.n_drafts > 0) {  // drafts never preempt anyone: this step decodes one token
                n -= r.n_drafts;
                r.n_drafts = 0;
                continue;
            }
            Ptr victim = std::move(running_.back());
            running_.pop_back();
            preempt(*victim);
            preempted = true;
            const bool self = victim.get() == &r;
            if (self && running_.empty() && waiting_.empty() &&
                ceil_div(r.tokens.size(), blocks_.block_size()) > blocks_.num_blocks()) {
                finish(r, FinishReason::LENGTH);  // alone and still too long for the whole cache
            } else {
                insert_waiting(std::move(victim));
            }
            if (self) {
                fits = false;
                break;
            }
        }
        if (!fits) break;
        r.n_new = n;
        budget -= n;
        sched.push_back(&r);
        ++i;
    }
    return preempted;
}

// Waiting requests, while seats and budget remain and the head of the queue fits (it blocks the rest).
void Scheduler::admit_waiting(int64_t& budget, std::vector<Request*>& sched) {
    while (budget > 0 && !waiting_.empty() && static_cast<int64_t>(running_.size()) < opt_.max_num_seqs) {
        Request& r = *waiting_.front();
        if (!admit(r, budget)) break;
        r.n_new = chunk(r, budget);
        grow(r, r.n_new);  // admit() checked the blocks are there
        budget -= r.n_new;
        metrics_.on_scheduled(r.times);
        sched.push_back(&r);
        running_.push_back(std::move(waiting_.front()));
        waiting_.erase(waiting_.begin());
    }
}

// The Mamba snapshot boundaries strictly inside r's tokens of this step, ascending.
std::vector<int64_t> Scheduler::capture_points(const Request& r) const {
    const int64_t B = blocks_.block_size();
    std::vector<int64_t> points;
    for (int64_t t = r.num_computed / B * B + B; caching() && r.n_drafts == 0 && t < r.num_computed + r.n_new;
         t += B)
        if (snapshot_point(r, t)) points.push_back(t);
    // The turn boundary and the prompt's end off a block boundary inside the chunk (a recomputed
    // request feeds prompt and output at once); on a block boundary the loop has them.
    for (const int64_t x : {r.req.turn_start, r.prompt_len})
        if (snapshot_point(r, x) && x % B != 0 && r.num_computed < x && x < r.num_computed + r.n_new &&
            !std::binary_search(points.begin(), points.end(), x))
            points.insert(std::upper_bound(points.begin(), points.end(), x), x);
    return points;
}

// One SequenceInput per scheduled request: its new tokens (or [last, drafts] to verify), the Mamba
// snapshot boundaries inside them, and whether every row's logits are wanted.
void Scheduler::build_batch(const std::vector<Request*>& sched, std::vector<SequenceInput>& batch,
                            std::vector<char>& prompt_rows) {
    batch.reserve(sched.size());
    std::vector<std::vector<int64_t>> points(sched.size());
    size_t n_images = 0;
    for (size_t b = 0; b < sched.size(); ++b) {
        points[b] = capture_points(*sched[b]);
        n_images += points[b].size();
    }
    const size_t image_floats = static_cast<size_t>(slots_.slot_floats());
    if (capture_images_.size() < n_images * image_floats) capture_images_.resize(n_images * image_floats);
    float* images = capture_images_.data();
    for (size_t b = 0; b < sched.size(); ++b) {
        Request* r = sched[b];
        const size_t n_points = points[b].size();
        r->state->set_capture_points(std::move(points[b]), images);
        images += n_points * image_floats;
        // prompt_logprobs: a logits row for every prompt position until the first token is out.
        const bool all =
            r->req.prompt_logprobs >= 0 && r->tokens.size() == static_cast<size_t>(r->prompt_len);
        prompt_rows.push_back(all);
        std::span<const int32_t> toks = std::span<const int32_t>(r->tokens).subspan(
            static_cast<size_t>(r->num_computed), static_cast<size_t>(r->n_new - r->n_drafts));
        if (r->n_drafts > 0) {  // verify [last, d_1..d_n], keeping each token's Mamba state (spec §5.2)
            r->feed.assign(1, r->tokens.back());
            r->feed.insert(r->feed.end(), r->mtp.drafts.begin(), r->mtp.drafts.begin() + r->n_drafts);
            toks = r->feed;
            r->steps->begin(r->state->slot(), r->n_drafts);
        }
        r->state->set_mamba_sink(r->n_drafts > 0 ? r->steps.get() : nullptr);
        // A speculating sequence needs every row's hidden state for the MTP block (and every draft's logits).
        batch.push_back({r->state.get(), toks, all || speculating(*r)});
    }
}

// Logits rows in batch order (one per sequence, or one per new token with all_logits): prompt
// logprobs, draft verification, or the next token of a request whose tokens are all computed.
void Scheduler::take_outputs(const std::vector<Request*>& sched, const std::vector<SequenceInput>& batch,
                             const std::vector<char>& prompt_rows, const ForwardOutput& out) {
    int64_t row = 0;
    for (size_t b = 0; b < sched.size(); ++b) {
        Request& r = *sched[b];
        const int64_t rows = batch[b].all_logits ? r.n_new : 1, first = row;
        if (prompt_rows[b])
            prompt_logprobs_from_rows(out.logits_row(row), rows, out.n_vocab, r.num_computed, r.req.prompt,
                                      r.req.prompt_logprobs, r.prompt_lp);
        row += rows;
        if (r.n_drafts > 0) {
            verify(r, out, first);
            continue;
        }
        r.num_computed += r.n_new;
        if (r.num_computed == static_cast<int64_t>(r.tokens.size()))
            emit(r, out.logits_row(row - 1), out.n_vocab);
        if (speculating(r) && !r.done) mtp_->keep_hidden(r.mtp, out, first, rows);
    }
}

// The step's tokens leave before its bookkeeping: a prompt's last chunk publishes its blocks and
// saves Mamba snapshots (~0.9 ms for an 8K prompt), which its first token need not wait for. Only
// then do finished requests give back their state (emit leaves it for the snapshots).
void Scheduler::finish_step(const std::vector<Request*>& sched) {
    wake_streams();
    for (Request* r : sched)
        if (r->n_drafts == 0) after_forward(*r);  // verify() did its own
    for (Request* r : sched)
        if (r->done) r->state.reset();  // blocks (published ones stay cached) and the slot go back
    // The MTP block over the kept rows (one sequence per call; the forward's output is overwritten
    // from here on).
    for (Request* r : sched) {
        if (r->done || !speculating(*r)) continue;
        try {
            mtp_->advance(r->mtp, r->tokens, r->num_computed + 1 == static_cast<int64_t>(r->tokens.size()));
        } catch (const std::exception& e) {
            finish(*r, FinishReason::ERROR, e.what());
        }
    }
    std::erase_if(running_, [](const Ptr& r) { return r->done; });
    metrics_.set_kv_usage(1.0 - static_cast<double>(blocks_.num_free()) /
                                    static_cast<double>(blocks_.num_blocks()));
    metrics_.set_running(running());
}

// A wake-up may run the request's token handling and socket write right here (direct delivery,
// engine/request_stream.h): many of them are shared among the pool's threads, which on a machine with
// more cores than this one's two finish a step's deliveries as fast as the HTTP threads would.
void Scheduler::wake_streams() {
    pool_.parallel_for(static_cast<int64_t>(to_wake_.size()), kWakesPerTask, [&](int64_t b, int64_t e, int) {
        for (int64_t i = b; i < e; ++i) to_wake_[static_cast<size_t>(i)]->wake();
    });
    to_wake_.clear();
}

// Offers the blocks this step filled to the prefix cache and stores a Mamba snapshot when the
// sequence stands on a snapshot boundary.
void Scheduler::after_forward(Request& r) {
    if (!opt_.cache.enable_prefix_caching) return;
    const int64_t B = blocks_.block_size(), nc = r.num_computed, full = nc / B;
    ensure_hashes(r, full);
    for (; r.published < full; ++r.published) {
        const int64_t i = r.published;
        const uint64_t parent = i == 0 ? r.root : r.hashes[static_cast<size_t>(i - 1)];
        blocks_.publish(
            r.state->blocks()[static_cast<size_t>(i)], r.hashes[static_cast<size_t>(i)], parent,
            std::span<const int32_t>(r.tokens).subspan(static_cast<size_t>(i * B), static_cast<size_t>(B)));
    }
    const auto& points = r.state->capture_points();  // inside this step's tokens, ascending
    for (size_t i = 0; i < points.size(); ++i)
        save_snapshot(snapshots_, blocks_, r.tokens, r.hashes, r.root, r.state->blocks(), points[i],
                      r.state->captured(i));
    if (snapshot_point(r, nc))
        save_snapshot(snapshots_, blocks_, r.tokens, r.hashes, r.root, r.state->blocks(), nc,
                      r.state->slot_data());
}

// Speculative verification (spec §5.2): row i of the step's logits is the target's distribution after
// [last, d_1..d_i]. Each row is sampled by the request's own Sampler — penalties, constraint and PRNG
// advance exactly as in plain decoding — and d_{i+1} is accepted iff it equals the sampled token. With
// greedy (one-hot) drafts this is the rejection sampler's distribution: d is kept with probability
// p(d), otherwise the token comes from p without d. A stop token or max_tokens ends the run where
// plain decoding would. Then the trunk rolls back to the last accepted token: n_past (the KV rows
// after it are overwritten later) and the Mamba slot (the state kept after that token).
void Scheduler::verify(Request& r, const ForwardOutput& out, int64_t first_row) {
    const int64_t old = r.num_computed, n = r.n_drafts;
    int64_t accepted = 0;
    for (int64_t i = 0; i <= n; ++i) {
        const int32_t tok = emit(r, out.logits_row(first_row + i), out.n_vocab);
        if (i == n || tok != r.mtp.drafts[static_cast<size_t>(i)]) break;
        ++accepted;  // a draft equal to the token that ends the request (stop token, max_tokens) counts too
        if (r.done) break;
    }
    ++counters_.spec_drafts;
    counters_.spec_proposed += n;
    counters_.spec_accepted += accepted;
    metrics_.on_spec_decode(n, accepted);
    if (r.done) return;
    r.num_computed = old + accepted + 1;
    r.state->set_n_past(r.num_computed);
    r.state->set_mamba_sink(nullptr);
    if (accepted < n) r.steps->restore(accepted, r.state->slot_data());
    after_forward(r);
    // Snapshot boundaries crossed inside the accepted run take the state kept after that token.
    const int64_t B = blocks_.block_size();
    for (int64_t t = old + 1; t < r.num_computed; ++t)
        if (snapshot_point(r, t))  // a block boundary: decode positions are past the prompt's end
            snapshots_.save(r.hashes[static_cast<size_t>(t / B - 1)], r.steps->image(t - old - 1));
    mtp_->keep_hidden(r.mtp, out, first_row, accepted + 1);
}

int32_t Scheduler::emit(Request& r, const float* logits, int64_t V) {
    Sampler::Result s = r.sampler->sample(logits, V);
    TokenEvent ev;
    ev.token = s.token;
    ev.logprob = s.logprob;
    ev.top = std::move(s.top);
    if (r.tokens.size() == static_cast<size_t>(r.prompt_len)) {
        ev.cached_tokens = r.cached_tokens;
        ev.prompt_logprobs = std::move(r.prompt_lp);
    }
    if (r.sampler->is_stop_token(s.token)) {
        ev.finish = FinishReason::STOP;
        ev.stopped_by_token = true;
    } else if (r.sampler->n_generated() >= r.req.sampling.max_tokens) {
        ev.finish = FinishReason::LENGTH;
    }
    r.tokens.push_back(s.token);
    metrics_.on_token(r.times, r.prompt_len);
    if (ev.finish != FinishReason::NONE) {
        r.done = true;  // its state goes back at the end of the step (step() saves its snapshots first)
        ++counters_.finished;
        metrics_.on_finished(r.times, ev.finish, r.prompt_len, r.req.sampling.max_tokens);
    }
    r.stream->push(std::move(ev), false);
    to_wake_.push_back(r.stream);
    return s.token;
}

}  // namespace hy
