// `hyserve serve` configuration like vLLM/NIM (spec/api.md §9): flags, NIM_* environment variables and
// NIM_PASSTHROUGH_ARGS, applied with the precedence CLI > passthrough > NIM_* > defaults. Flags that
// only mean something on NVIDIA GPUs are accepted and reported as not applicable, so command lines
// copied from the NIM guide start as-is; unknown flags stop startup naming the flag.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/cache_options.h"
#include "engine/scheduling_policy.h"
#include "server/cors.h"
#include "server/tls.h"

namespace hy::server {

struct ServerConfig {
    std::string model;                            // path; empty = the embedded default
    std::vector<std::string> served_model_names;  // empty = the model path
    std::string host = "0.0.0.0";
    int port = 8000;
    std::optional<int> health_port;         // NIM_HEALTH_PORT: health endpoints also there
    std::optional<int64_t> max_model_len;   // unset = the model's max_position_embeddings
    bool allow_long_max_model_len = false;  // VLLM_ALLOW_LONG_MAX_MODEL_LEN: beyond the model's own
    int max_num_seqs = 256;
    int max_num_batched_tokens = 2048;
    int64_t long_prefill_token_threshold = 0;  // one prompt's tokens per step; 0 = only the budget
    int64_t admission_window_us = 500;         // burst coalescing (engine/admission_window.h); 0 = off
    SchedulingPolicy scheduling_policy = SchedulingPolicy::FCFS;  // --scheduling-policy fcfs|priority
    CacheOptions cache;  // --block-size, --kv-cache-memory, prefix/Mamba cache (issue 6)
    bool enable_prompt_tokens_details = false;  // usage.prompt_tokens_details.cached_tokens
    int threads = 0;                            // 0 = physical cores
    int max_logprobs = 20;
    std::string api_key;
    TlsOptions tls;                          // off unless a certificate is given (server/tls.h)
    std::string revision;                    // of a Hugging Face repo id model (model/hf_reference.h)
    std::string download_dir;                // the hub cache to find it in
    bool enable_request_id_headers = false;  // X-Request-Id on every response (vLLM)
    CorsOptions cors;           // --allowed-origins/-methods/-headers, --allow-credentials, NIM_CORS_*
    std::string chat_template;  // a file, or inline Jinja text (vLLM accepts both)
    nlohmann::ordered_json default_chat_template_kwargs = nlohmann::ordered_json::object();
    std::string generation_config = "auto";  // auto/vllm = the model's file; else a directory
    std::string log_level = "info";          // spdlog level name
    bool jsonl_logging = false;              // NIM_JSONL_LOGGING: one JSON object per log line
    bool trust_request_chat_template = false;
    bool enable_force_include_usage = false;
    bool enable_responses_store = false;  // --enable-responses-store / VLLM_ENABLE_RESPONSES_API_STORE=1
    // Reasoning / tool calling / structured outputs (issues 8, 9): "auto" = from the chat template.
    std::string reasoning_parser = "auto";  // --reasoning-parser nemotron_v3|none
    std::string tool_call_parser = "auto";  // --tool-call-parser qwen3_coder|none
    std::optional<bool> enable_auto_tool_choice;
    bool exclude_tools_when_tool_choice_none = false;
    std::string response_role = "assistant";
    bool return_tokens_as_token_ids = false;
    std::optional<int64_t> max_thinking_tokens;  // --max-thinking-tokens / --reasoning-config
    std::string thinking_end_message;            // --reasoning-config {"thinking_end_message": …}
    // --speculative-config (JSON, dotted sub-keys merge); resolved to the MTP draft count, 0 = off.
    nlohmann::ordered_json speculative_config = nlohmann::ordered_json::object();
    int num_speculative_tokens = 0;
    size_t max_body_bytes = 8u << 20;
    bool help = false;
    std::vector<std::string> notes;  // "not applicable on CPU" messages for the startup log
};

using EnvLookup = std::function<const char*(const char*)>;

// `args` are the words after `serve`. Throws hy::Error for unknown flags, bad values, bad
// NIM_PASSTHROUGH_ARGS quoting.
ServerConfig parse_server_config(const std::vector<std::string>& args, const EnvLookup& env);

// "32k" = 32000, "32K" = 32768, "-1"/"auto" = unset (spec §9.3).
std::optional<int64_t> parse_model_len(const std::string& text);

std::string server_help();

}  // namespace hy::server
