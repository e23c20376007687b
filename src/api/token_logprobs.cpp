#include "api/token_logprobs.h"

namespace hy::api {

namespace {

OJson bytes_of(const std::string& s) {
    OJson b = OJson::array();
    for (unsigned char c : s) b.push_back(static_cast<int>(c));
    return b;
}

}  // namespace

std::string logprob_token(const ServingContext& ctx, int32_t token, bool as_id) {
    return as_id ? "token_id:" + std::to_string(token) : token_text(ctx, token);
}

OJson token_logprob_entries(const ServingContext& ctx, const std::vector<GeneratedToken>& tokens,
                            bool as_ids) {
    OJson entries = OJson::array();
    for (const auto& t : tokens) {
        const std::string text = logprob_token(ctx, t.token, as_ids);
        OJson top = OJson::array();
        for (const auto& alt : t.top) {
            const std::string at = logprob_token(ctx, alt.token, as_ids);
            top.push_back({{"token", at}, {"logprob", alt.logprob}, {"bytes", bytes_of(at)}});
        }
        entries.push_back(
            {{"token", text}, {"logprob", t.logprob}, {"bytes", bytes_of(text)}, {"top_logprobs", top}});
    }
    return entries;
}

}  // namespace hy::api
