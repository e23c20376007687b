#include "tokenizer/spm_model.h"

#include <cstdio>
#include <queue>

#include "tokenizer/utf8.h"

namespace hy::tok {

SpmModel::SpmModel(std::vector<std::string> tokens, std::vector<float> scores, int32_t unk_id)
    : tokens_(std::move(tokens)), scores_(std::move(scores)), unk_id_(unk_id) {
    scores_.resize(tokens_.size(), 0.0f);
    ids_.reserve(tokens_.size());
    for (size_t i = 0; i < tokens_.size(); ++i) ids_.emplace(tokens_[i], static_cast<int32_t>(i));
    for (int b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        byte_ids_[b] = token_to_id(name);
    }
}

int32_t SpmModel::token_to_id(std::string_view token) const {
    auto it = ids_.find(token);
    return it == ids_.end() ? -1 : it->second;
}

const std::string* SpmModel::id_to_token(int32_t id) const {
    return id >= 0 && static_cast<size_t>(id) < tokens_.size() ? &tokens_[id] : nullptr;
}

void SpmModel::tokenize(std::string_view text, std::vector<int32_t>& out) const {
    struct Sym {
        size_t b, n;  // byte range in text; n == 0 once merged away
        int32_t prev, next;
    };
    std::vector<Sym> syms;
    for (size_t i = 0; i < text.size();) {
        size_t len = 0;
        utf8_decode(text, i, len);
        int32_t k = static_cast<int32_t>(syms.size());
        syms.push_back({i, len, k - 1, k + 1});
        i += len;
    }
    if (syms.empty()) return;
    syms.back().next = -1;
    struct Bigram {
        int32_t left, right;
        float score;
        size_t size;
        bool operator<(const Bigram& o) const {
            return score < o.score || (score == o.score && left > o.left);
        }
    };
    std::priority_queue<Bigram> queue;
    auto try_add = [&](int32_t l, int32_t r) {
        if (l < 0 || r < 0) return;
        std::string_view s = text.substr(syms[l].b, syms[l].n + syms[r].n);
        int32_t id = token_to_id(s);
        if (id >= 0) queue.push({l, r, scores_[id], s.size()});
    };
    for (int32_t i = 1; i < static_cast<int32_t>(syms.size()); ++i) try_add(i - 1, i);
    while (!queue.empty()) {
        Bigram bg = queue.top();
        queue.pop();
        Sym& l = syms[bg.left];
        Sym& r = syms[bg.right];
        if (l.n == 0 || r.n == 0 || l.n + r.n != bg.size) continue;  // outdated
        l.n += r.n;
        r.n = 0;
        l.next = r.next;
        if (r.next >= 0) syms[r.next].prev = bg.left;
        try_add(l.prev, bg.left);
        try_add(bg.left, l.next);
    }
    for (int32_t i = 0; i >= 0; i = syms[i].next) {
        std::string_view s = text.substr(syms[i].b, syms[i].n);
        int32_t id = token_to_id(s);
        if (id >= 0) {
            out.push_back(id);
            continue;
        }
        for (char c : s) {
            int32_t b = byte_ids_[static_cast<uint8_t>(c)];
            if (b >= 0)
                out.push_back(b);
            else if (unk_id_ >= 0)
                out.push_back(unk_id_);
        }
    }
}

}  // namespace hy::tok
