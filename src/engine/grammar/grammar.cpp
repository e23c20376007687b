#include "engine/grammar/grammar.h"

#include <cstdio>

#include "engine/grammar/grammar_runtime.h"
#include "engine/grammar/token_vocabulary.h"

namespace hy::grammar {

Grammar::Grammar(std::vector<int32_t> elements, std::vector<ByteSet> byte_sets,
                 std::vector<std::vector<uint32_t>> rule_alternatives, std::vector<std::string> rule_names)
    : elements_(std::move(elements)),
      byte_sets_(std::move(byte_sets)),
      alternatives_(std::move(rule_alternatives)),
      names_(std::move(rule_names)) {}

namespace {

std::string describe_set(const ByteSet& s) {
    std::string out = "[";
    for (unsigned b = 0; b < 256; ++b) {
        if (!s.test(b)) continue;
        unsigned e = b;
        while (e + 1 < 256 && s.test(e + 1)) ++e;
        auto put = [&](unsigned c) {
            char buf[8];
            if (c >= 0x21 && c < 0x7F && c != '\\' && c != ']' && c != '-' && c != '^') {
                out += static_cast<char>(c);
            } else {
                std::snprintf(buf, sizeof buf, "\\x%02X", c);
                out += buf;
            }
        };
        put(b);
        if (e > b) {
            out += '-';
            put(e);
        }
        b = e;
    }
    return out + "]";
}

}  // namespace

std::string Grammar::describe() const {
    std::string out;
    for (size_t r = 0; r < alternatives_.size(); ++r) {
        out += names_[r] + "_" + std::to_string(r) + " ::=";
        bool first = true;
        for (uint32_t start : alternatives_[r]) {
            out += first ? " " : " | ";
            first = false;
            if (elements_[start] == kEnd) out += "\"\"";
            for (uint32_t p = start; elements_[p] != kEnd; ++p) {
                int32_t e = elements_[p];
                if (p != start) out += ' ';
                if (e >= 0) {
                    out += describe_set(byte_sets_[static_cast<size_t>(e)]);
                } else {
                    uint32_t rule = ref_rule(e);
                    out += names_[rule] + "_" + std::to_string(rule);
                }
            }
        }
        out += '\n';
    }
    return out;
}

std::shared_ptr<GrammarRuntime> Grammar::runtime(const std::shared_ptr<const TokenVocabulary>& vocab) const {
    const uint64_t key = vocab ? vocab->id() : 0;
    std::lock_guard lock(runtime_mutex_);
    for (auto& [id, rt] : runtimes_)
        if (id == key) return rt;
    auto rt = std::make_shared<GrammarRuntime>(*this, vocab);
    runtimes_.push_back({key, rt});
    return rt;
}

}  // namespace hy::grammar
