#include "api/token_logprobs.h"

namespace hy::api {

namespace {

OJson bytes_of(const std::string& s) {
    OJson b = OJson::array();
    for (unsigned char c : s) b.push_back(static_cast<int>(c));
    return b;
}

}  // namespace

OJson token_logprob_entries(const ServingContext& ctx, const std::vector<GeneratedToken>& tokens) {
    OJson entries = OJson::array();
    for (const auto& t : tokens) {
        const std::string text = token_text(ctx, t.token);
        OJson top = OJson::array();
        for (const auto& alt : t.top) {
            const std::string at = token_text(ctx, alt.token);
            top.push_back({{"token", at}, {"logprob", alt.logprob}, {"bytes", bytes_of(at)}});
        }
        entries.push_back(
            {{"token", text}, {"logprob", t.logprob}, {"bytes", bytes_of(text)}, {"top_logprobs", top}});
    }
    return entries;
}

}  // namespace hy::api
