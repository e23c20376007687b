// Runs the choices of one API request through the engine: submits prompts × n sequences, turns each
// sequence's TokenEvents into text with the streaming detokenizer and the stop matcher, and hands the
// per-choice deltas to a serializer (chat or completions; streaming or folded). Polls the client
// between events so a disconnect aborts every sequence of the request.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/sampling_fields.h"
#include "api/serving_context.h"

namespace hy::api {

struct GeneratedToken {
    int32_t token = -1;
    float logprob = 0.0f;
    std::vector<TokenLogprob> top;
};

struct ChoiceDelta {
    int index = 0;
    std::string text;                    // newly final text (may be empty)
    std::vector<GeneratedToken> tokens;  // tokens generated in this step (with logprobs when asked)
    FinishReason finish = FinishReason::NONE;
    nlohmann::ordered_json stop_reason;  // the matched stop string or stop token id, else null
    // The first delta of a choice, with RunOptions::prompt_logprobs: prompt tokens 1..P-1.
    std::vector<PromptLogprob> prompt_logprobs;
    int64_t cached_tokens = -1;  // the first delta: prompt tokens resumed from the prefix cache
};

struct RunResult {
    int64_t completion_tokens = 0;
    bool cancelled = false;  // the client went away
    std::string error;       // an engine error (FinishReason::ERROR)
    double ttft_s = 0.0;
    int64_t cached_tokens = -1;  // prompt tokens resumed from the prefix cache (largest over sequences)
    std::string finish;          // finish reason of the first choice, for the request log
};

// What chat-style requests add to a plain generation (api/conversation.cpp).
struct RunOptions {
    // Special tokens whose text is kept even with skip_special_tokens: the `<think>`/`<tool_call>`
    // markers the output parser reads (spec/api.md §8.1: they are single special tokens).
    std::vector<int32_t> keep_special_ids;
    // The logits processor of choice i (thinking budget, grammar), or null.
    std::function<std::shared_ptr<TokenConstraint>(size_t choice)> make_constraint;
    int prompt_logprobs = -1;  // >= 0: the engine returns the prompt tokens' logprobs (N best each)
    int64_t turn_start = -1;   // GenerationRequest::turn_start of the (single) chat prompt
};

// on_delta returns false when the client is gone; client_gone is polled while waiting for tokens.
RunResult run_generation(ServingContext& ctx, const std::vector<std::vector<int32_t>>& prompts,
                         const SamplingFields& f, const std::function<bool(const ChoiceDelta&)>& on_delta,
                         const std::function<bool()>& client_gone, const RunOptions& options = {});

// The text of one token for logprobs output (decoded alone, specials kept).
std::string token_text(const ServingContext& ctx, int32_t token);

}  // namespace hy::api
