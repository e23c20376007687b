// libFuzzer target for the untrusted text the server parses before any model work: request bodies
// through the OpenAI field readers and validators (chat and completions rules, the context check,
// the model name check, structured-output and tool_choice fields, Anthropic Messages and Responses
// bodies), the chat messages as templates see them, stop-string matching over the body split at every
// 7th byte, CORS lists and preflights, and the NIM_PASSTHROUGH_ARGS splitter plus flag parser. Every
// failure must be a hy::Error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/anthropic_request.h"
#include "api/chat_conversation.h"
#include "api/json_fields.h"
#include "api/responses_request.h"
#include "api/sampling_fields.h"
#include "api/stop_matcher.h"
#include "api/structured_output.h"
#include "chat/chat_request.h"
#include "core/error.h"
#include "server/cors.h"
#include "server/server_config.h"
#include "server/shell_split.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    hy::api::ServingContext ctx;
    ctx.served_names = {"m"};
    ctx.max_model_len = 64;
    hy::api::Json body = hy::api::Json::parse(text, nullptr, false);
    if (!body.is_discarded() && body.is_object()) {
        for (bool chat : {true, false}) {
            try {
                hy::api::check_model(body, ctx);
                hy::api::SamplingFields f = hy::api::read_sampling_fields(body, ctx, chat);
                hy::api::finish_max_tokens(f, static_cast<int64_t>(size % 80), ctx, chat);
                hy::api::StopMatcher m(f.stop, f.include_stop_str_in_output);
                for (size_t i = 0; i < size; i += 7) (void)m.push(text.substr(i, 7));
                (void)m.flush();
            } catch (const hy::Error&) {
            }
        }
        try {  // Anthropic Messages and Responses bodies → Conversation (issue 7)
            (void)hy::api::anthropic_conversation(body, ctx, size % 2 == 0);
        } catch (const hy::Error&) {
        }
        try {
            (void)hy::api::responses_request(body, ctx, hy::api::Json::array());
            (void)hy::api::output_messages(body.value("output", hy::api::Json::array()));
        } catch (const hy::Error&) {
        }
        try {  // /tokenize's chat form checks its messages as chat completions do
            hy::api::check_chat_messages(body);
        } catch (const hy::Error&) {
        }
        try {  // messages as the template sees them: content parts, tool-call arguments, documents
            const hy::chat::ChatRequest chat = hy::chat::ChatRequest::from_json(body);
            (void)hy::chat::template_messages(chat.messages);
        } catch (const hy::Error&) {
        }
        try {  // structured-output and tool_choice fields (issues 8, 9), read but not compiled
            (void)hy::api::read_output_format(body);
            (void)hy::api::read_tool_choice(body, true);
        } catch (const hy::Error&) {
        }
    }
    try {  // CORS: list options, and a preflight whose header values are the input's thirds
        hy::server::CorsOptions cors;
        cors.allowed_origins = hy::server::parse_cors_list("--allowed-origins", text);
        cors.allowed_headers = {"Authorization"};
        const size_t third = size / 3;
        const std::string parts[3] = {text.substr(0, third), text.substr(third, third),
                                      text.substr(2 * third)};
        const hy::server::HeaderLookup header = [&](const char* name) -> std::optional<std::string> {
            const std::string n = name;
            if (n == "Origin") return parts[0];
            if (n == "Access-Control-Request-Method") return parts[1];
            if (n == "Access-Control-Request-Headers") return parts[2];
            return std::nullopt;
        };
        (void)hy::server::cors_preflight(cors, "OPTIONS", header);
        (void)hy::server::cors_response_headers(cors, header);
    } catch (const hy::Error&) {
    }
    try {
        (void)hy::server::parse_server_config(hy::server::shell_split(text),
                                              [](const char*) { return nullptr; });
    } catch (const hy::Error&) {
    }
    return 0;
}
