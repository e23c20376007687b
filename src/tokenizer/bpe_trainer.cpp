#include "tokenizer/bpe_trainer.h"

#include <algorithm>
#include <cstdint>
#include <set>
#include <unordered_map>

#include "core/assets.h"
#include "core/error.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/regex.h"

namespace hy::tok {

const std::string& default_pretokenizer_regex() {
    static const std::string re =
        R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
    return re;
}

std::string_view default_bpe_training_text() {
    return embedded_asset("bpe/training_text.txt");
}

namespace {

using Pair = std::pair<int, int>;
uint64_t pair_key(int a, int b) {
    return (static_cast<uint64_t>(a) << 32) | static_cast<uint32_t>(b);
}

struct Word {
    std::vector<int> syms;  // ids into the trainer's symbol table (not counting specials)
    int64_t count = 0;
};

class Trainer {
  public:
    explicit Trainer(std::vector<std::string>& strs) : strs_(strs), queue_(Cmp{&strs_}) {}

    void add_words(std::unordered_map<std::string, int64_t>&& counts) {
        // Sorted so that word indices (and hence nothing observable, but debugging) are deterministic.
        std::vector<std::pair<std::string, int64_t>> sorted(counts.begin(), counts.end());
        std::sort(sorted.begin(), sorted.end());
        for (auto& [bytes, n] : sorted) {
            Word w;
            w.count = n;
            for (char c : bytes) w.syms.push_back(static_cast<uint8_t>(c));
            words_.push_back(std::move(w));
        }
        for (size_t wi = 0; wi < words_.size(); ++wi) {
            const Word& w = words_[wi];
            for (size_t i = 0; i + 1 < w.syms.size(); ++i) {
                uint64_t k = pair_key(w.syms[i], w.syms[i + 1]);
                counts_[k] += w.count;
                where_[k].push_back(static_cast<int>(wi));
            }
        }
        for (auto& [k, n] : counts_)
            queue_.insert({n, static_cast<int>(k >> 32), static_cast<int>(k & 0xffffffff)});
    }

    // Returns false when no pair is left.
    bool merge_best(std::vector<std::pair<int, int>>& merges, std::unordered_map<std::string, int>& ids) {
        if (queue_.empty()) return false;
        Entry best = *queue_.begin();
        std::string merged = strs_[best.a] + strs_[best.b];
        int c;
        if (auto it = ids.find(merged); it != ids.end()) {
            c = it->second;
        } else {
            c = static_cast<int>(strs_.size());
            strs_.push_back(merged);
            ids.emplace(merged, c);
        }
        merges.emplace_back(best.a, best.b);

        uint64_t key = pair_key(best.a, best.b);
        std::vector<int> affected = std::move(where_[key]);
        where_.erase(key);
        std::sort(affected.begin(), affected.end());
        affected.erase(std::unique(affected.begin(), affected.end()), affected.end());
        std::unordered_map<uint64_t, int64_t> delta;
        for (int wi : affected) {
            Word& w = words_[wi];
            std::vector<int> out;
            out.reserve(w.syms.size());
            bool changed = false;
            for (size_t i = 0; i < w.syms.size();) {
                if (i + 1 < w.syms.size() && w.syms[i] == best.a && w.syms[i + 1] == best.b) {
                    out.push_back(c);
                    i += 2;
                    changed = true;
                } else {
                    out.push_back(w.syms[i++]);
                }
            }
            if (!changed) continue;  // stale index entry
            for (size_t i = 0; i + 1 < w.syms.size(); ++i)
                delta[pair_key(w.syms[i], w.syms[i + 1])] -= w.count;
            for (size_t i = 0; i + 1 < out.size(); ++i) {
                uint64_t k = pair_key(out[i], out[i + 1]);
                delta[k] += w.count;
                if (out[i] == c || out[i + 1] == c) where_[k].push_back(wi);
            }
            w.syms = std::move(out);
        }
        for (auto& [k, d] : delta) {
            if (d == 0) continue;
            int a = static_cast<int>(k >> 32), b = static_cast<int>(k & 0xffffffff);
            int64_t& n = counts_[k];
            if (n > 0) queue_.erase({n, a, b});
            n += d;
            if (n > 0)
                queue_.insert({n, a, b});
            else
                counts_.erase(k);
        }
        return true;
    }

  private:
    struct Entry {
        int64_t count;
        int a, b;
    };
    struct Cmp {
        const std::vector<std::string>* strs;
        bool operator()(const Entry& x, const Entry& y) const {
            if (x.count != y.count) return x.count > y.count;
            if (x.a != y.a) {
                int c = (*strs)[x.a].compare((*strs)[y.a]);
                if (c != 0) return c < 0;
            }
            if (x.b != y.b) return (*strs)[x.b] < (*strs)[y.b];
            return false;
        }
    };
    std::vector<std::string>& strs_;  // symbol id -> token in the byte-level alphabet
    std::vector<Word> words_;
    std::unordered_map<uint64_t, int64_t> counts_;
    std::unordered_map<uint64_t, std::vector<int>> where_;
    std::set<Entry, Cmp> queue_;
};

}  // namespace

TrainedBpe train_byte_level_bpe(std::string_view text, int vocab_size,
                                const std::vector<std::string>& special_tokens,
                                const std::string& pretokenizer_regex) {
    const int n_special = static_cast<int>(special_tokens.size());
    if (vocab_size < n_special + 256)
        throw Error("BPE trainer: vocab_size " + std::to_string(vocab_size) + " cannot hold " +
                    std::to_string(n_special) + " special tokens and 256 byte tokens");
    Regex re(pretokenizer_regex, "BPE trainer pre-tokenizer regex");
    std::vector<std::pair<size_t, size_t>> spans;
    re.find_all(text, spans);
    std::unordered_map<std::string, int64_t> counts;
    for (auto [b, e] : spans) ++counts[std::string(text.substr(b, e - b))];

    std::vector<std::string> strs;
    std::unordered_map<std::string, int> ids;
    for (int b = 0; b < 256; ++b) {
        strs.push_back(byte_to_unicode(static_cast<uint8_t>(b)));
        ids.emplace(strs.back(), b);
    }
    Trainer trainer(strs);
    trainer.add_words(std::move(counts));
    std::vector<std::pair<int, int>> merges;
    while (n_special + static_cast<int>(strs.size()) < vocab_size && trainer.merge_best(merges, ids)) {
    }

    TrainedBpe out;
    out.special_tokens = special_tokens;
    out.tokens = special_tokens;
    for (const auto& s : strs) {
        if (std::find(special_tokens.begin(), special_tokens.end(), s) != special_tokens.end())
            throw Error("BPE trainer: special token '" + s + "' collides with a learned token");
        out.tokens.push_back(s);
    }
    for (auto [a, b] : merges) out.merges.emplace_back(strs[a], strs[b]);
    return out;
}

nlohmann::json make_tokenizer_json(const TrainedBpe& bpe, const std::string& pretokenizer_regex,
                                   const TokenizerJsonOptions& options) {
    using nlohmann::json;
    json vocab = json::object();
    for (size_t i = 0; i < bpe.tokens.size(); ++i) vocab[bpe.tokens[i]] = i;
    json merges = json::array();
    for (const auto& [a, b] : bpe.merges) merges.push_back(json::array({a, b}));
    json added = json::array();
    for (size_t i = 0; i < bpe.special_tokens.size(); ++i)
        added.push_back({{"id", i},
                         {"content", bpe.special_tokens[i]},
                         {"single_word", false},
                         {"lstrip", false},
                         {"rstrip", false},
                         {"normalized", false},
                         {"special", true}});
    json post;
    if (!options.bos_token.empty()) {
        auto it = std::find(bpe.tokens.begin(), bpe.tokens.end(), options.bos_token);
        if (it == bpe.tokens.end())
            throw Error("make_tokenizer_json: bos token '" + options.bos_token + "' not in vocab");
        json tok = {{"SpecialToken", {{"id", options.bos_token}, {"type_id", 0}}}};
        json seq = {{"Sequence", {{"id", "A"}, {"type_id", 0}}}};
        json seq_b = {{"Sequence", {{"id", "B"}, {"type_id", 1}}}};
        post = {{"type", "TemplateProcessing"},
                {"single", json::array({tok, seq})},
                {"pair", json::array({tok, seq, tok, seq_b})},
                {"special_tokens",
                 {{options.bos_token,
                   {{"id", options.bos_token},
                    {"ids", json::array({it - bpe.tokens.begin()})},
                    {"tokens", json::array({options.bos_token})}}}}}};
    } else {
        post = {{"type", "ByteLevel"},
                {"add_prefix_space", false},
                {"trim_offsets", false},
                {"use_regex", false}};
    }
    return {
        {"version", "1.0"},
        {"truncation", nullptr},
        {"padding", nullptr},
        {"added_tokens", added},
        {"normalizer", nullptr},
        {"pre_tokenizer",
         {{"type", "Sequence"},
          {"pretokenizers", json::array({{{"type", "Split"},
                                          {"pattern", {{"Regex", pretokenizer_regex}}},
                                          {"behavior", "Isolated"},
                                          {"invert", false}},
                                         {{"type", "ByteLevel"},
                                          {"add_prefix_space", false},
                                          {"trim_offsets", true},
                                          {"use_regex", false}}})}}},
        {"post_processor", post},
        {"decoder",
         {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}}},
        {"model",
         {{"type", "BPE"},
          {"dropout", nullptr},
          {"unk_token", nullptr},
          {"continuing_subword_prefix", nullptr},
          {"end_of_word_suffix", nullptr},
          {"fuse_unk", false},
          {"byte_fallback", false},
          {"ignore_merges", false},
          {"vocab", vocab},
          {"merges", merges}}},
    };
}

}  // namespace hy::tok
