// An OpenAI-style chat request reduced to what a chat template needs (spec/api.md, model.md 6.3):
// messages (string or text-parts content, assistant tool_calls, reasoning, tool results), tools,
// add_generation_prompt, continue_final_message and chat_template_kwargs.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace hy::chat {

struct ChatRequest {
    nlohmann::ordered_json messages = nlohmann::ordered_json::array();
    nlohmann::ordered_json tools;  // null when the request has none
    // vLLM's [ext] `documents` (RAG templates read them as `documents`): null when absent.
    nlohmann::ordered_json documents;
    bool add_generation_prompt = true;
    bool continue_final_message = false;
    nlohmann::ordered_json template_kwargs = nlohmann::ordered_json::object();

    // Reads the fields above from a request body; throws hy::Error naming the offending field.
    static ChatRequest from_json(const nlohmann::ordered_json& body);
};

// The messages as the template sees them: text parts joined with "\n" (what vLLM does for
// string-content templates), `reasoning` copied to `reasoning_content`, tool-call `arguments`
// given as a JSON string parsed to a mapping. Throws hy::Error (400) for media parts, unknown part
// types and arguments that are not JSON.
nlohmann::ordered_json template_messages(const nlohmann::ordered_json& messages);

}  // namespace hy::chat
