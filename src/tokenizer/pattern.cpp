#include "tokenizer/pattern.h"

#include "core/error.h"

namespace hy::tok {

Pattern::Pattern(const nlohmann::json& j, const std::string& where) {
    if (j.is_object() && j.contains("String") && j["String"].is_string()) {
        literal_ = j["String"].get<std::string>();
    } else if (j.is_object() && j.contains("Regex") && j["Regex"].is_string()) {
        regex_ = std::make_shared<Regex>(j["Regex"].get<std::string>(), where);
    } else {
        throw Error(where + ": pattern must be {\"String\": ...} or {\"Regex\": ...}");
    }
}

Pattern Pattern::literal(std::string s) {
    Pattern p;
    p.literal_ = std::move(s);
    return p;
}

void Pattern::find_all(std::string_view text, std::vector<std::pair<size_t, size_t>>& out) const {
    if (regex_) {
        regex_->find_all(text, out);
        return;
    }
    if (literal_.empty()) return;
    for (size_t pos = text.find(literal_); pos != std::string_view::npos; pos = text.find(literal_, pos)) {
        out.emplace_back(pos, pos + literal_.size());
        pos += literal_.size();
    }
}

std::string Pattern::replace_all(std::string_view text, std::string_view content) const {
    std::vector<std::pair<size_t, size_t>> m;
    find_all(text, m);
    if (m.empty()) return std::string(text);
    std::string out;
    out.reserve(text.size() + m.size() * content.size());
    size_t prev = 0;
    for (auto [b, e] : m) {
        out.append(text.substr(prev, b - prev));
        out.append(content);
        prev = e;
    }
    out.append(text.substr(prev));
    return out;
}

}  // namespace hy::tok
