#include "api/tokenize_endpoints.h"

#include "api/chat_conversation.h"
#include "api/completion_common.h"
#include "api/json_fields.h"
#include "api/openai_format.h"
#include "api/sampling_fields.h"

namespace hy::api {
namespace {

// The chat form: the same rendering a chat completion's prompt gets (messages, tools, template kwargs,
// add_generation_prompt / continue_final_message), then the tokenizer.
std::vector<int32_t> chat_prompt_ids(const ServingContext& ctx, Json body) {
    check_chat_messages(body);
    if (opt_bool(body, "continue_final_message").value_or(false) &&
        opt_bool(body, "add_generation_prompt").value_or(true))
        throw bad_request("Cannot set both `continue_final_message` and `add_generation_prompt` to True.");
    body["chat_template_kwargs"] = merged_template_kwargs(body, ctx);
    const chat::ChatRequest chat = chat::ChatRequest::from_json(body);
    std::shared_ptr<const chat::ChatTemplate> tmpl = read_request_chat_template(body, ctx);
    if (!tmpl) tmpl = ctx.chat_template;
    if (!tmpl) throw bad_request("this model has no chat template; tokenize a `prompt` instead");
    // The template writes the special tokens itself; add_special_tokens adds the tokenizer's on top.
    return ctx.tokenizer->encode(tmpl->render(chat), opt_bool(body, "add_special_tokens").value_or(false));
}

}  // namespace

ApiResponse handle_tokenize(const ServingContext& ctx, const std::string& body_text) {
    try {
        const OJson body = parse_body(body_text);
        check_model(body, ctx);
        std::vector<int32_t> ids;
        if (body.contains("messages") && !body["messages"].is_null()) {
            ids = chat_prompt_ids(ctx, body);
        } else {
            const auto prompt = opt_string(body, "prompt");
            if (!prompt) throw schema_error("prompt", "Field required");
            ids = ctx.tokenizer->encode(*prompt, opt_bool(body, "add_special_tokens").value_or(true));
        }
        OJson out;
        out["count"] = ids.size();
        out["max_model_len"] = ctx.max_model_len;
        out["tokens"] = ids;
        out["token_strs"] = nullptr;
        if (opt_bool(body, "return_token_strs").value_or(false)) {
            OJson strs = OJson::array();
            for (int32_t id : ids) strs.push_back(ctx.tokenizer->id_to_token(id).value_or(""));
            out["token_strs"] = std::move(strs);
        }
        ApiResponse r;
        r.body = dump(out);
        return r;
    } catch (...) {
        return error_response(std::current_exception());
    }
}

ApiResponse handle_detokenize(const ServingContext& ctx, const std::string& body_text) {
    try {
        const OJson body = parse_body(body_text);
        check_model(body, ctx);
        if (!body.contains("tokens") || body["tokens"].is_null())
            throw schema_error("tokens", "Field required");
        const std::vector<int64_t> tokens = opt_int_list(body, "tokens");
        const int64_t vocab =
            ctx.vocab_size > 0 ? ctx.vocab_size : static_cast<int64_t>(ctx.tokenizer->vocab_size());
        std::vector<int32_t> ids;
        ids.reserve(tokens.size());
        for (int64_t t : tokens) {
            if (t < 0 || t >= vocab)
                throw bad_request("Token id " + std::to_string(t) + " is out of vocabulary (size " +
                                      std::to_string(vocab) + ")",
                                  "tokens");
            ids.push_back(static_cast<int32_t>(t));
        }
        ApiResponse r;
        r.body = dump(OJson{{"prompt", ctx.tokenizer->decode(ids, false)}});
        return r;
    } catch (...) {
        return error_response(std::current_exception());
    }
}

}  // namespace hy::api
