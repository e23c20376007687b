// Everything a request handler needs once the model is loaded: the engine, the tokenizer, the chat
// template, the served names and the server-wide defaults. Built by the server after loading.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "chat/chat_template.h"
#include "engine/engine.h"
#include "tokenizer/tokenizer.h"

namespace hy::api {

// Sampling defaults from the model's generation_config.json (spec/api.md §2.3: null fields use them).
struct GenerationDefaults {
    std::optional<double> temperature, top_p, min_p, repetition_penalty;
    std::optional<int64_t> top_k, max_new_tokens;
    std::vector<int32_t> eos_token_ids;
};

// Reads DIR/generation_config.json (or FILE) if it exists; a missing file gives empty defaults.
GenerationDefaults load_generation_config(const std::string& path);

struct ServingContext {
    Engine* engine = nullptr;
    std::shared_ptr<const tok::Tokenizer> tokenizer;
    std::shared_ptr<const chat::ChatTemplate> chat_template;  // null: chat completions answer 400
    std::vector<std::string> served_names;                    // first = reported name
    std::string model_root;                                   // path shown in /v1/models
    int64_t max_model_len = 4096;
    int64_t vocab_size = 0;  // the model's (prompt token ids must be below it)
    int max_logprobs = 20;
    GenerationDefaults defaults;
    std::vector<int32_t> eos_token_ids;
    nlohmann::ordered_json default_chat_template_kwargs = nlohmann::ordered_json::object();
    bool trust_request_chat_template = false;  // --trust-request-chat-template
    bool prompt_tokens_details = false;        // --enable-prompt-tokens-details: usage reports cached_tokens
    // What usage.prompt_tokens_details reports for a run's cached_tokens: -1 (null) when not enabled.
    int64_t usage_cached_tokens(int64_t cached) const {
        return prompt_tokens_details ? (cached > 0 ? cached : 0) : -1;
    }
    bool force_include_usage = false;  // --enable-force-include-usage
    bool priority_scheduling = false;  // --scheduling-policy priority: `priority` is honoured
    // Reasoning and tool calling (issue 8; spec/api.md §3.4, §8): "auto" = chosen from the chat
    // template (`<think>` → nemotron_v3; tools rendered as `<tool_call><function=` → qwen3_coder),
    // "none" = off, else the parser's name. resolve_output_parsers() (api/conversation.h) settles them.
    std::string reasoning_parser = "auto";
    std::string tool_call_parser = "auto";
    std::optional<bool> enable_auto_tool_choice;  // unset: on when the tool parser was auto-selected
    // vLLM's --exclude-tools-when-tool-choice-none: tool_choice "none" renders no tools.
    bool exclude_tools_when_tool_choice_none = false;
    std::string response_role = "assistant";  // vLLM's --response-role
    // vLLM's --return-tokens-as-token-ids: logprob tokens as "token_id:N".
    bool return_tokens_as_token_ids = false;
    std::optional<int64_t> max_thinking_tokens;  // server ceiling on thinking_token_budget
    std::string thinking_end_message;            // text forced before `</think>` when the budget ends

    const std::string& model_name() const { return served_names.front(); }
};

}  // namespace hy::api
