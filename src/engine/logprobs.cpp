#include "engine/logprobs.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace hy {

float raw_logprobs(const float* logits, int64_t V, int32_t token, int64_t top_n,
                   std::vector<TokenLogprob>& top) {
    const float maxl = *std::max_element(logits, logits + V);
    double s = 0.0;
    for (int64_t i = 0; i < V; ++i) s += std::exp(static_cast<double>(logits[i] - maxl));
    const float lse = maxl + static_cast<float>(std::log(s));
    auto lp = [&](int32_t t) { return std::max(logits[t] - lse, -9999.0f); };
    const int64_t n = std::min<int64_t>(top_n, V);
    if (n > 0) {
        std::vector<int32_t> ids(static_cast<size_t>(V));
        std::iota(ids.begin(), ids.end(), 0);
        std::partial_sort(ids.begin(), ids.begin() + n, ids.end(), [&](int32_t a, int32_t b) {
            return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
        });
        for (int64_t i = 0; i < n; ++i) top.push_back({ids[i], lp(ids[i])});
    }
    return lp(token);
}

void prompt_logprobs_from_rows(const float* rows, int64_t n_rows, int64_t V, int64_t first,
                               const std::vector<int32_t>& prompt, int top_n,
                               std::vector<PromptLogprob>& out) {
    const int64_t P = static_cast<int64_t>(prompt.size());
    out.resize(static_cast<size_t>(std::max<int64_t>(P - 1, 0)));
    for (int64_t j = 0; j < n_rows && first + j + 1 < P; ++j) {
        PromptLogprob& e = out[static_cast<size_t>(first + j)];
        e.token = prompt[static_cast<size_t>(first + j + 1)];
        e.top.clear();
        const float* row = rows + j * V;
        e.logprob = raw_logprobs(row, V, e.token, top_n, e.top);
        e.rank = 1 + std::count_if(row, row + V, [&](float x) { return x > row[e.token]; });
    }
}

}  // namespace hy
