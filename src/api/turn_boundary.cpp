#include "api/turn_boundary.h"

#include <algorithm>

namespace hy::api {

int64_t generation_prompt_start(const chat::ChatTemplate& tmpl, chat::ChatRequest& request,
                                const std::string& text, const std::vector<int32_t>& prompt,
                                const tok::Tokenizer& tk) {
    if (!request.add_generation_prompt || request.continue_final_message) return -1;
    request.add_generation_prompt = false;
    const std::string base = tmpl.render(request);
    request.add_generation_prompt = true;
    if (base.empty() || base.size() >= text.size() || text.compare(0, base.size(), base) != 0) return -1;
    // The generation prompt alone; the boundary counts only if the whole prompt's tokens end with
    // exactly its tokens (no token straddles the cut).
    const std::vector<int32_t> tail = tk.encode(std::string_view(text).substr(base.size()), false);
    if (tail.empty() || tail.size() >= prompt.size() ||
        !std::equal(tail.rbegin(), tail.rend(), prompt.rbegin()))
        return -1;
    return static_cast<int64_t>(prompt.size() - tail.size());
}

}  // namespace hy::api
