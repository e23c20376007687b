// Shared by the chat and text completion handlers: body parsing, the non-streaming fold of choice
// deltas, and the per-request log line.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/generation_run.h"
#include "api/openai_format.h"

namespace hy::api {

OJson parse_body(const std::string& body);  // 400 for malformed JSON or a non-object

// One choice of a non-streaming response, folded from its deltas.
struct ChoiceFold {
    std::string text;
    std::vector<GeneratedToken> tokens;
    FinishReason finish = FinishReason::NONE;
    OJson stop_reason;
    std::vector<PromptLogprob> prompt_logprobs;
};
// The ids of the folded tokens (return_token_ids), or null.
OJson token_ids_json(const std::vector<GeneratedToken>& tokens, bool wanted);
void fold_delta(std::vector<ChoiceFold>& choices, const ChoiceDelta& d);
// vLLM's `prompt_logprobs`: null for the first prompt token, then per position
// {"<token id>": {"logprob", "rank", "decoded_token"}} for the prompt token and the n_top best.
OJson vllm_prompt_logprobs(const ServingContext& ctx, const std::vector<int32_t>& prompt,
                           const std::vector<PromptLogprob>& lps, size_t n_top);

// Runs a non-streaming generation to its end: folded choices, the request log line, and false when
// nothing should be written (client gone) or an error body was written instead.
bool run_folded(ServingContext& ctx, const std::vector<std::vector<int32_t>>& prompts,
                const SamplingFields& f, BodyWriter& w, const std::string& id, const char* endpoint,
                int64_t prompt_tokens, double t0, std::vector<ChoiceFold>& folds, RunResult& result,
                const RunOptions& options = {});

// The envelope shared by chat.completion and text_completion responses.
OJson response_json(const std::string& id, const char* object, int64_t created, const ServingContext& ctx,
                    OJson choices, int64_t prompt_tokens, int64_t completion_tokens,
                    int64_t cached_tokens = -1);

void log_request(const std::string& id, const char* endpoint, int64_t prompt_tokens, const RunResult& r,
                 double total_s);

double seconds_since_epoch_mono();

// The response of a validated request: SSE from `stream` or a JSON body from `full`, both run later
// by the HTTP layer with the call kept alive by the producer.
template <class Call>
ApiResponse generation_response(ServingContext& ctx, std::shared_ptr<Call> call, bool stream,
                                void (*stream_fn)(ServingContext&, const Call&, BodyWriter&),
                                void (*full_fn)(ServingContext&, const Call&, BodyWriter&)) {
    ApiResponse r;
    if (stream) r.content_type = "text/event-stream";
    auto fn = stream ? stream_fn : full_fn;
    r.producer = [&ctx, call, fn](BodyWriter& w) { fn(ctx, *call, w); };
    return r;
}  // steady clock, for request timings

}  // namespace hy::api
