#include "tokenizer/bpe_model.h"

#include <mutex>
#include <queue>

#include "core/error.h"
#include "tokenizer/json_util.h"
#include "tokenizer/utf8.h"

namespace hy::tok {

namespace {
uint64_t key(int32_t a, int32_t b) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}

std::optional<std::string> opt_string(const nlohmann::json& j, const char* k, const std::string& where) {
    if (!j.contains(k) || j[k].is_null()) return std::nullopt;
    if (!j[k].is_string()) throw Error(where + "." + k + ": expected a string");
    return j[k].get<std::string>();
}
}  // namespace

BpeModel::BpeModel(TokenMap vocab, const std::vector<std::pair<std::string, std::string>>& merges,
                   BpeOptions options, const std::string& where)
    : vocab_(std::move(vocab)), opt_(std::move(options)) {
    int32_t max_id = -1;
    for (const auto& [tok, id] : vocab_) {
        if (id < 0 || id > (1 << 26))
            throw Error(where + ".vocab: id " + std::to_string(id) + " out of range");
        max_id = std::max(max_id, id);
    }
    // Real vocabularies are dense; a stray huge id must not make us allocate gigabytes.
    if (static_cast<size_t>(max_id) >= vocab_.size() + (1u << 20))
        throw Error(where + ".vocab: id " + std::to_string(max_id) + " is far beyond the " +
                    std::to_string(vocab_.size()) + " entries");
    vocab_r_.resize(static_cast<size_t>(max_id + 1));
    has_id_.assign(vocab_r_.size(), false);
    for (const auto& [tok, id] : vocab_) {
        vocab_r_[id] = tok;
        has_id_[id] = true;
    }
    if (opt_.continuing_subword_prefix && opt_.continuing_subword_prefix->empty())
        opt_.continuing_subword_prefix.reset();
    if (opt_.end_of_word_suffix && opt_.end_of_word_suffix->empty()) opt_.end_of_word_suffix.reset();
    const size_t prefix_len = opt_.continuing_subword_prefix ? opt_.continuing_subword_prefix->size() : 0;
    merges_.reserve(merges.size());
    for (size_t r = 0; r < merges.size(); ++r) {
        const auto& [a, b] = merges[r];
        int32_t ia = token_to_id(a), ib = token_to_id(b);
        if (ia < 0 || ib < 0)
            throw Error(where + ".merges[" + std::to_string(r) + "]: token \"" + (ia < 0 ? a : b) +
                        "\" is not in the vocab");
        std::string merged = a + (b.size() >= prefix_len ? b.substr(prefix_len) : b);
        int32_t im = token_to_id(merged);
        if (im < 0)
            throw Error(where + ".merges[" + std::to_string(r) + "]: merged token \"" + merged +
                        "\" is not in the vocab");
        merges_.emplace(key(ia, ib), std::pair{static_cast<int32_t>(r), im});  // first occurrence wins
    }
    if (opt_.unk_token) unk_id_ = token_to_id(*opt_.unk_token);
    for (int b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        byte_ids_[b] = token_to_id(name);
    }
}

std::unique_ptr<BpeModel> BpeModel::from_json(const nlohmann::json& j, const std::string& where) {
    const auto& vj = json_field(j, "vocab", where);
    if (!vj.is_object()) throw Error(where + ".vocab: expected an object");
    TokenMap vocab;
    vocab.reserve(vj.size());
    for (auto it = vj.begin(); it != vj.end(); ++it) {
        if (!it.value().is_number_integer())
            throw Error(where + ".vocab[\"" + it.key() + "\"]: expected an integer id");
        vocab.emplace(it.key(), it.value().get<int32_t>());
    }
    std::vector<std::pair<std::string, std::string>> merges;
    if (j.contains("merges") && !j["merges"].is_null()) {
        const auto& mj = j["merges"];
        if (!mj.is_array()) throw Error(where + ".merges: expected an array");
        merges.reserve(mj.size());
        for (size_t i = 0; i < mj.size(); ++i) {
            const auto& m = mj[i];
            const std::string w = where + ".merges[" + std::to_string(i) + "]";
            if (m.is_string()) {
                // Legacy "a b" form: exactly one space separates the parts.
                const std::string& s = m.get_ref<const std::string&>();
                size_t sp = s.find(' ');
                if (sp == std::string::npos || s.find(' ', sp + 1) != std::string::npos)
                    throw Error(w + ": expected \"left right\"");
                merges.emplace_back(s.substr(0, sp), s.substr(sp + 1));
            } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
                merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
            } else {
                throw Error(w + ": expected a string or a pair of strings");
            }
        }
    }
    BpeOptions o;
    o.unk_token = opt_string(j, "unk_token", where);
    o.continuing_subword_prefix = opt_string(j, "continuing_subword_prefix", where);
    o.end_of_word_suffix = opt_string(j, "end_of_word_suffix", where);
    o.fuse_unk = json_bool(j, "fuse_unk", where, false);
    o.byte_fallback = json_bool(j, "byte_fallback", where, false);
    o.ignore_merges = json_bool(j, "ignore_merges", where, false);
    return std::make_unique<BpeModel>(std::move(vocab), merges, std::move(o), where);
}

int32_t BpeModel::token_to_id(std::string_view token) const {
    auto it = vocab_.find(token);
    return it == vocab_.end() ? -1 : it->second;
}

const std::string* BpeModel::id_to_token(int32_t id) const {
    if (id < 0 || static_cast<size_t>(id) >= vocab_r_.size() || !has_id_[id]) return nullptr;
    return &vocab_r_[id];
}

void BpeModel::tokenize(std::string_view piece, std::vector<int32_t>& out) const {
    if (piece.empty()) return;
    if (opt_.ignore_merges) {
        if (int32_t id = token_to_id(piece); id >= 0) {
            out.push_back(id);
            return;
        }
    }
    const bool cacheable = piece.size() < kCacheMaxPiece;
    if (cacheable) {
        std::shared_lock lock(cache_mu_);
        auto it = cache_.find(piece);
        if (it != cache_.end()) {
            out.insert(out.end(), it->second.begin(), it->second.end());
            return;
        }
    }
    size_t start = out.size();
    merge_piece(piece, out);
    if (cacheable) {
        std::unique_lock lock(cache_mu_);
        if (cache_.size() < kCacheCapacity)
            cache_.emplace(std::string(piece), std::vector<int32_t>(out.begin() + start, out.end()));
    }
}

void BpeModel::merge_piece(std::string_view w, std::vector<int32_t>& out) const {
    struct Sym {
        int32_t id;
        int32_t prev, next;
        bool alive;
    };
    std::vector<Sym> syms;
    syms.reserve(w.size());
    auto add = [&](int32_t id) {
        int32_t n = static_cast<int32_t>(syms.size());
        syms.push_back({id, n - 1, n + 1, true});
    };
    int32_t pending_unk = -1;  // fuse_unk accumulates consecutive unknown characters into one
    std::string s;
    for (size_t i = 0; i < w.size();) {
        size_t len = 0;
        utf8_decode(w, i, len);
        const bool first = i == 0, last = i + len >= w.size();
        std::string_view ch = w.substr(i, len);
        int32_t id;
        if (!(opt_.continuing_subword_prefix && !first) && !(opt_.end_of_word_suffix && last)) {
            id = token_to_id(ch);
        } else {
            s.clear();
            if (opt_.continuing_subword_prefix && !first) s += *opt_.continuing_subword_prefix;
            s += ch;
            if (opt_.end_of_word_suffix && last) s += *opt_.end_of_word_suffix;
            id = token_to_id(s);
        }
        i += len;
        if (id >= 0) {
            if (pending_unk >= 0) {
                add(pending_unk);
                pending_unk = -1;
            }
            add(id);
            continue;
        }
        if (opt_.byte_fallback) {
            // Like tokenizers: the bytes of the character as spelled with prefix/suffix; all must exist.
            std::string_view spelled =
                (opt_.continuing_subword_prefix && !first) || (opt_.end_of_word_suffix && last)
                    ? std::string_view(s)
                    : ch;
            bool all = true;
            for (char c : spelled) all = all && byte_ids_[static_cast<uint8_t>(c)] >= 0;
            if (all) {
                for (char c : spelled) add(byte_ids_[static_cast<uint8_t>(c)]);
                continue;
            }
        }
        if (unk_id_ >= 0) {
            if (pending_unk >= 0 && !opt_.fuse_unk) add(pending_unk);
            pending_unk = unk_id_;
        }
    }
    if (pending_unk >= 0) add(pending_unk);
    if (syms.empty()) return;
    syms.back().next = -1;

    struct Cand {
        int32_t rank, pos, new_id;
        bool operator<(const Cand& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
    };
    std::priority_queue<Cand> queue;
    auto push_pair = [&](int32_t pos, int32_t next) {
        auto it = merges_.find(key(syms[pos].id, syms[next].id));
        if (it != merges_.end()) queue.push({it->second.first, pos, it->second.second});
    };
    for (int32_t i = 0; i + 1 < static_cast<int32_t>(syms.size()); ++i) push_pair(i, i + 1);
    while (!queue.empty()) {
        Cand top = queue.top();
        queue.pop();
        Sym& cur = syms[top.pos];
        if (!cur.alive || cur.next < 0) continue;
        Sym& right = syms[cur.next];
        auto it = merges_.find(key(cur.id, right.id));
        if (it == merges_.end() || it->second.second != top.new_id) continue;  // stale entry
        cur.id = top.new_id;
        right.alive = false;
        cur.next = right.next;
        if (cur.next >= 0) syms[cur.next].prev = top.pos;
        if (cur.prev >= 0) push_pair(cur.prev, top.pos);
        if (cur.next >= 0) push_pair(top.pos, cur.next);
    }
    for (const Sym& sy : syms)
        if (sy.alive) out.push_back(sy.id);
}

}  // namespace hy::tok
