#include "engine/simple_scheduler.h"

#include <algorithm>
#include <random>

#include "core/error.h"

namespace hy {

SimpleScheduler::SimpleScheduler(const ModelWeights& weights, ThreadPool& pool, EngineOptions options,
                                 EngineMetrics& metrics)
    : opt_(options), metrics_(metrics), fwd_(weights, pool), seed_counter_(std::random_device{}()) {}

SimpleScheduler::~SimpleScheduler() = default;

void SimpleScheduler::add(GenerationRequest request, std::shared_ptr<RequestStream> stream) {
    auto s = std::make_unique<Seq>();
    s->req = std::move(request);
    s->stream = std::move(stream);
    s->times.arrival = s->stream->arrival();
    s->state = fwd_.new_sequence();
    // Unseeded requests draw from a per-engine counter mixed by SplitMix inside mt19937_64's seeding.
    s->sampler = std::make_unique<Sampler>(s->req.sampling, s->req.eos_token_ids, s->req.prompt,
                                           seed_counter_ * 0x9E3779B97F4A7C15ull + 1);
    ++seed_counter_;
    if (s->req.prompt.empty()) {
        finish(*s, FinishReason::ERROR, "empty prompt");
        return;
    }
    seqs_.push_back(std::move(s));
}

void SimpleScheduler::finish(Seq& s, FinishReason reason, std::string error) {
    if (s.done) return;
    s.done = true;
    metrics_.on_finished(s.times, reason == FinishReason::ABORT ? s.stream->abort_reason() : reason,
                         static_cast<int64_t>(s.req.prompt.size()), s.req.sampling.max_tokens);
    TokenEvent ev;
    ev.finish = reason;
    ev.error = std::move(error);
    s.stream->push(std::move(ev));
}

void SimpleScheduler::abort_all() {
    for (auto& s : seqs_) finish(*s, FinishReason::ABORT);
    seqs_.clear();
}

void SimpleScheduler::step() {
    // Aborted requests (client gone) leave before any work is spent on them; their state is freed here.
    for (auto& s : seqs_)
        if (s->stream->abort_requested()) finish(*s, FinishReason::ABORT);
    std::erase_if(seqs_, [](const auto& s) { return s->done; });
    if (seqs_.empty()) return;

    // Decoding sequences take one token each; prompts share what is left of the token budget, so a
    // long prompt is prefilled in chunks while the others keep decoding.
    std::vector<SequenceInput> batch;
    std::vector<Seq*> in_batch;
    int64_t budget = opt_.max_num_batched_tokens;
    for (auto& s : seqs_) {
        if (s->prompt_fed < s->req.prompt.size()) continue;
        s->feed.assign(1, s->last_token);
        --budget;
    }
    for (auto& s : seqs_) {
        if (s->prompt_fed < s->req.prompt.size()) {
            const int64_t left = static_cast<int64_t>(s->req.prompt.size() - s->prompt_fed);
            const int64_t n = std::min(left, std::max<int64_t>(budget, 1));
            if (budget <= 0 && !in_batch.empty()) continue;
            s->feed.assign(s->req.prompt.begin() + static_cast<std::ptrdiff_t>(s->prompt_fed),
                           s->req.prompt.begin() + static_cast<std::ptrdiff_t>(s->prompt_fed + n));
            budget -= n;
        }
        metrics_.on_scheduled(s->times);
        batch.push_back({s->state.get(), std::span<const int32_t>(s->feed), false});
        in_batch.push_back(s.get());
    }

    int64_t fed = 0;
    for (Seq* s : in_batch) fed += static_cast<int64_t>(s->feed.size());
    metrics_.on_iteration(fed);
    const ForwardOutput* out = nullptr;
    try {
        out = &fwd_.run(batch);
    } catch (const std::exception& e) {
        for (Seq* s : in_batch) finish(*s, FinishReason::ERROR, e.what());
        return;
    }

    // One logits row per sequence (all_logits = false), in batch order.
    for (size_t b = 0; b < in_batch.size(); ++b) {
        Seq& s = *in_batch[b];
        const bool prefilling = s.prompt_fed < s.req.prompt.size();
        if (prefilling) {
            s.prompt_fed += s.feed.size();
            if (s.prompt_fed < s.req.prompt.size()) continue;  // more prompt chunks to go
        }
        Sampler::Result r = s.sampler->sample(out->logits_row(static_cast<int64_t>(b)), out->n_vocab);
        TokenEvent ev;
        ev.token = r.token;
        ev.logprob = r.logprob;
        ev.top = std::move(r.top);
        if (s.sampler->is_stop_token(r.token)) {
            ev.finish = FinishReason::STOP;
            ev.stopped_by_token = true;
        } else if (s.sampler->n_generated() >= s.req.sampling.max_tokens) {
            ev.finish = FinishReason::LENGTH;
        }
        s.last_token = r.token;
        metrics_.on_token(s.times, static_cast<int64_t>(s.req.prompt.size()));
        if (ev.finish != FinishReason::NONE) {
            s.done = true;
            metrics_.on_finished(s.times, ev.finish, static_cast<int64_t>(s.req.prompt.size()),
                                 s.req.sampling.max_tokens);
        }
        s.stream->push(std::move(ev));
    }
    std::erase_if(seqs_, [](const auto& s) { return s->done; });
}

}  // namespace hy
