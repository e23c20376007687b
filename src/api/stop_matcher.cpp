#include "api/stop_matcher.h"

#include <utility>

namespace hy::api {

std::string StopMatcher::push(const std::string& text) {
    if (matched_) return {};
    held_ += text;
    if (stops_.empty()) return std::exchange(held_, {});
    // Earliest complete match wins (ties: the first listed stop string).
    size_t best = std::string::npos;
    const std::string* which = nullptr;
    for (const auto& s : stops_) {
        const size_t p = held_.find(s);
        if (p != std::string::npos && p < best) best = p, which = &s;
    }
    if (which) {
        matched_ = *which;
        std::string out = held_.substr(0, best) + (include_ ? *which : std::string());
        held_.clear();
        return out;
    }
    // Hold back the longest suffix that is a proper prefix of some stop string.
    size_t keep_from = held_.size();
    for (size_t i = 0; i < held_.size(); ++i) {
        const size_t tail = held_.size() - i;
        bool prefix = false;
        for (const auto& s : stops_)
            if (s.size() > tail && s.compare(0, tail, held_, i, tail) == 0) prefix = true;
        if (prefix) {
            keep_from = i;
            break;
        }
    }
    std::string out = held_.substr(0, keep_from);
    held_.erase(0, keep_from);
    return out;
}

std::string StopMatcher::flush() {
    if (matched_) return {};
    return std::exchange(held_, {});
}

}  // namespace hy::api
