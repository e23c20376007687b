#include "tokenizer/added_vocab.h"

#include <algorithm>

#include "tokenizer/unicode_tables.h"
#include "tokenizer/utf8.h"

namespace hy::tok {

namespace {

char32_t last_char(std::string_view s) {
    if (s.empty()) return 0;
    size_t i = s.size() - 1;
    while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
    size_t len = 0;
    return utf8_decode(s, i, len);
}

bool is_word_char(char32_t c) {
    return c == '_' || is_unicode_alphanumeric(c);
}

// Byte offset where the run of whitespace that ends `s` begins (s.size() if none).
size_t trailing_space_start(std::string_view s) {
    size_t e = s.size();
    while (e > 0) {
        size_t i = e - 1;
        while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
        size_t len = 0;
        if (!is_unicode_whitespace(utf8_decode(s, i, len))) break;
        e = i;
    }
    return e;
}

// Byte length of the whitespace run that starts `s`.
size_t leading_space_len(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        size_t len = 0;
        if (!is_unicode_whitespace(utf8_decode(s, i, len))) break;
        i += len;
    }
    return i;
}

}  // namespace

int32_t TokenMatcher::child(int32_t node, unsigned char c) const {
    const auto& next = nodes_[node].next;
    auto it = std::lower_bound(
        next.begin(), next.end(), c,
        [](const std::pair<unsigned char, int32_t>& p, unsigned char x) { return p.first < x; });
    return it != next.end() && it->first == c ? it->second : -1;
}

void TokenMatcher::build(const std::vector<std::string>& patterns,
                         const std::vector<const AddedToken*>& tokens) {
    nodes_.assign(1, Node{});
    tokens_.clear();
    std::fill(std::begin(first_byte_), std::end(first_byte_), false);
    for (size_t i = 0; i < patterns.size(); ++i) {
        const std::string& p = patterns[i];
        if (p.empty()) continue;
        int32_t n = 0;
        for (unsigned char c : p) {
            int32_t next = child(n, c);
            if (next < 0) {
                next = static_cast<int32_t>(nodes_.size());
                auto& vec = nodes_[n].next;
                auto it = std::lower_bound(
                    vec.begin(), vec.end(), c,
                    [](const std::pair<unsigned char, int32_t>& q, unsigned char x) { return q.first < x; });
                vec.insert(it, {c, next});
                nodes_.emplace_back();
            }
            n = next;
        }
        if (nodes_[n].token < 0) {  // the first token with a given text wins
            nodes_[n].token = static_cast<int32_t>(tokens_.size());
            tokens_.push_back(tokens[i]);
        }
        first_byte_[static_cast<unsigned char>(p[0])] = true;
    }
}

void TokenMatcher::split(std::string_view text, std::vector<Split>& out) const {
    // 1. Non-overlapping leftmost-longest matches.
    struct Match {
        size_t b, e;
        const AddedToken* t;
    };
    std::vector<Match> matches;
    if (!tokens_.empty()) {
        for (size_t pos = 0; pos < text.size();) {
            if (!first_byte_[static_cast<unsigned char>(text[pos])]) {
                ++pos;
                continue;
            }
            int32_t n = 0, best = -1;
            size_t best_end = 0;
            for (size_t k = pos; k < text.size(); ++k) {
                n = child(n, static_cast<unsigned char>(text[k]));
                if (n < 0) break;
                if (nodes_[n].token >= 0) {
                    best = nodes_[n].token;
                    best_end = k + 1;
                }
            }
            if (best >= 0) {
                matches.push_back({pos, best_end, tokens_[best]});
                pos = best_end;
            } else {
                ++pos;
            }
        }
    }
    // 2. single_word / lstrip / rstrip adjustments, then the alternating split list.
    size_t start_offset = 0;
    for (const Match& m : matches) {
        size_t start = m.b, stop = m.e;
        const AddedToken* t = m.t;
        if (t->single_word) {
            bool start_space = start == 0 || !is_word_char(last_char(text.substr(0, start)));
            size_t l = 0;
            bool stop_space = stop == text.size() || !is_word_char(utf8_decode(text, stop, l));
            if (!start_space || !stop_space) continue;
        }
        if (t->lstrip) start = std::max(trailing_space_start(text.substr(0, start)), start_offset);
        if (t->rstrip) stop += leading_space_len(text.substr(stop));
        start = std::max(start, start_offset);  // an rstrip may have eaten into this match already
        if (stop <= start) continue;
        if (start_offset < start) out.push_back({start_offset, start, nullptr});
        out.push_back({start, stop, t});
        start_offset = stop;
    }
    if (start_offset < text.size()) out.push_back({start_offset, text.size(), nullptr});
}

}  // namespace hy::tok
