#include "tokenizer/pre_tokenizer.h"

#include <algorithm>
#include <functional>

#include "core/error.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/json_util.h"
#include "tokenizer/pattern.h"
#include "tokenizer/unicode_tables.h"
#include "tokenizer/utf8.h"

namespace hy::tok {

namespace {

enum class Behavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

Behavior parse_behavior(const nlohmann::json& j, const std::string& where, Behavior def) {
    std::string b = json_string(j, "behavior", where, "");
    if (b.empty()) return def;
    if (b == "Removed") return Behavior::Removed;
    if (b == "Isolated") return Behavior::Isolated;
    if (b == "MergedWithPrevious") return Behavior::MergedWithPrevious;
    if (b == "MergedWithNext") return Behavior::MergedWithNext;
    if (b == "Contiguous") return Behavior::Contiguous;
    throw Error(where + ".behavior: unknown value \"" + b + "\"");
}

struct Seg {
    size_t b, e;
    bool flag;  // is a match (before the behavior), "remove" (after)
};

// Alternating match / non-match segments covering [0, n) from a list of matches (HF find_matches).
void to_segments(const std::vector<std::pair<size_t, size_t>>& matches, size_t n, bool invert,
                 std::vector<Seg>& segs) {
    segs.clear();
    size_t prev = 0;
    for (auto [b, e] : matches) {
        if (prev != b) segs.push_back({prev, b, invert});
        segs.push_back({b, e, !invert});
        prev = e;
    }
    if (prev != n) segs.push_back({prev, n, invert});
}

// HF NormalizedString::split: applies the behavior to the segments, then emits non-removed non-empty ones.
void split_by_segments(const Piece& p, std::vector<Seg>& segs, Behavior behavior, std::vector<Piece>& out) {
    std::vector<Seg> res;
    switch (behavior) {
        case Behavior::Isolated:
            for (auto& s : segs) res.push_back({s.b, s.e, false});
            break;
        case Behavior::Removed:
            res = segs;
            break;
        case Behavior::Contiguous: {
            bool prev_match = false;
            for (auto& s : segs) {
                if (s.flag == prev_match && !res.empty())
                    res.back().e = s.e;
                else
                    res.push_back({s.b, s.e, false});
                prev_match = s.flag;
            }
            break;
        }
        case Behavior::MergedWithPrevious: {
            bool prev_match = false;
            for (auto& s : segs) {
                if (s.flag && !prev_match && !res.empty())
                    res.back().e = s.e;
                else
                    res.push_back({s.b, s.e, false});
                prev_match = s.flag;
            }
            break;
        }
        case Behavior::MergedWithNext: {
            bool prev_match = false;
            for (size_t k = segs.size(); k-- > 0;) {
                const Seg& s = segs[k];
                if (s.flag && !prev_match && !res.empty())
                    res.back().b = s.b;
                else
                    res.push_back({s.b, s.e, false});
                prev_match = s.flag;
            }
            std::reverse(res.begin(), res.end());
            break;
        }
    }
    for (const Seg& s : res) {
        if (s.flag || s.e == s.b) continue;
        out.push_back({p.text.substr(s.b, s.e - s.b), p.at_origin && s.b == 0});
    }
}

// Matches of a per-character predicate: every matching character is its own match.
void char_matches(const std::string& t, const std::function<bool(char32_t)>& pred,
                  std::vector<std::pair<size_t, size_t>>& out) {
    for (size_t i = 0; i < t.size();) {
        size_t len = 0;
        char32_t cp = utf8_decode(t, i, len);
        if (pred(cp)) out.emplace_back(i, i + len);
        i += len;
    }
}

// Splits every piece on the matches `find` reports.
template <class Find>
void split_all(std::vector<Piece>& pieces, Behavior behavior, bool invert, Find&& find) {
    std::vector<Piece> out;
    out.reserve(pieces.size() * 2);
    std::vector<std::pair<size_t, size_t>> m;
    std::vector<Seg> segs;
    for (const Piece& p : pieces) {
        if (p.text.empty()) continue;
        m.clear();
        find(p.text, m);
        to_segments(m, p.text.size(), invert, segs);
        split_by_segments(p, segs, behavior, out);
    }
    pieces = std::move(out);
}

bool is_ascii_punct(char32_t c) {
    return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
           (c >= 0x7B && c <= 0x7E);
}
bool is_punct(char32_t c) {
    return is_ascii_punct(c) || is_unicode_punctuation(c);
}

class CharSplit : public PreTokenizer {
  public:
    CharSplit(std::function<bool(char32_t)> pred, Behavior b) : pred_(std::move(pred)), behavior_(b) {}
    void apply(std::vector<Piece>& pieces) const override {
        split_all(pieces, behavior_, false,
                  [&](const std::string& t, std::vector<std::pair<size_t, size_t>>& m) {
                      char_matches(t, pred_, m);
                  });
    }

  private:
    std::function<bool(char32_t)> pred_;
    Behavior behavior_;
};

class Split : public PreTokenizer {
  public:
    Split(Pattern p, Behavior b, bool invert) : pattern_(std::move(p)), behavior_(b), invert_(invert) {}
    void apply(std::vector<Piece>& pieces) const override {
        split_all(pieces, behavior_, invert_,
                  [&](const std::string& t, std::vector<std::pair<size_t, size_t>>& m) {
                      pattern_.find_all(t, m);
                  });
    }

  private:
    Pattern pattern_;
    Behavior behavior_;
    bool invert_;
};

class ByteLevel : public PreTokenizer {
  public:
    ByteLevel(bool add_prefix_space, bool use_regex) : add_prefix_space_(add_prefix_space) {
        if (use_regex) regex_ = std::make_unique<Regex>(gpt2_split_regex(), "ByteLevel regex");
    }
    void apply(std::vector<Piece>& pieces) const override {
        if (add_prefix_space_)
            for (Piece& p : pieces)
                if (!p.text.empty() && p.text[0] != ' ') prepend(p.text, " ");
        if (regex_)
            split_all(pieces, Behavior::Isolated, false,
                      [&](const std::string& t, std::vector<std::pair<size_t, size_t>>& m) {
                          regex_->find_all(t, m);
                      });
        for (Piece& p : pieces) p.text = bytes_to_alphabet(p.text);
    }

  private:
    bool add_prefix_space_;
    std::unique_ptr<Regex> regex_;
};

class Metaspace : public PreTokenizer {
  public:
    enum class Prepend { Always, First, Never };
    Metaspace(std::string replacement, Prepend scheme, bool split)
        : rep_(std::move(replacement)), scheme_(scheme), split_(split) {}
    void apply(std::vector<Piece>& pieces) const override {
        for (Piece& p : pieces) {
            if (p.text.empty()) continue;
            p.text = Pattern::literal(" ").replace_all(p.text, rep_);
            bool starts = p.text.compare(0, rep_.size(), rep_) == 0;
            if (!starts && (scheme_ == Prepend::Always || (scheme_ == Prepend::First && p.at_origin)))
                prepend(p.text, rep_);
        }
        if (split_) {
            Pattern lit = Pattern::literal(rep_);
            split_all(
                pieces, Behavior::MergedWithNext, false,
                [&](const std::string& t, std::vector<std::pair<size_t, size_t>>& m) { lit.find_all(t, m); });
        }
    }

  private:
    std::string rep_;
    Prepend scheme_;
    bool split_;
};

class Sequence : public PreTokenizer {
  public:
    explicit Sequence(std::vector<std::unique_ptr<PreTokenizer>> items) : items_(std::move(items)) {}
    void apply(std::vector<Piece>& pieces) const override {
        for (const auto& p : items_) p->apply(pieces);
    }

  private:
    std::vector<std::unique_ptr<PreTokenizer>> items_;
};

}  // namespace

const std::string& gpt2_split_regex() {
    static const std::string re =
        R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
    return re;
}

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const nlohmann::json& j, const std::string& where) {
    if (j.is_null()) return nullptr;
    const std::string type = json_type(j, where);
    if (type == "Split")
        return std::make_unique<Split>(Pattern(json_field(j, "pattern", where), where + ".pattern"),
                                       parse_behavior(j, where, Behavior::Isolated),
                                       json_bool(j, "invert", where, false));
    if (type == "ByteLevel")
        return std::make_unique<ByteLevel>(json_bool(j, "add_prefix_space", where, true),
                                           json_bool(j, "use_regex", where, true));
    if (type == "Metaspace") {
        std::string rep = json_string(j, "replacement", where, "\xE2\x96\x81");
        if (rep.empty() || utf8_valid_prefix(rep) != rep.size())
            throw Error(where + ".replacement: expected one character");
        Metaspace::Prepend scheme = Metaspace::Prepend::Always;
        if (j.contains("prepend_scheme")) {
            std::string s = json_string(j, "prepend_scheme", where, "always");
            if (s == "always")
                scheme = Metaspace::Prepend::Always;
            else if (s == "first")
                scheme = Metaspace::Prepend::First;
            else if (s == "never")
                scheme = Metaspace::Prepend::Never;
            else
                throw Error(where + ".prepend_scheme: unknown value \"" + s + "\"");
        } else if (!json_bool(j, "add_prefix_space", where, true)) {
            scheme = Metaspace::Prepend::Never;  // legacy field
        }
        return std::make_unique<Metaspace>(rep, scheme, json_bool(j, "split", where, true));
    }
    if (type == "Digits") {
        bool individual = json_bool(j, "individual_digits", where, false);
        return std::make_unique<CharSplit>(is_unicode_numeric,
                                           individual ? Behavior::Isolated : Behavior::Contiguous);
    }
    if (type == "Punctuation")
        return std::make_unique<CharSplit>(is_punct, parse_behavior(j, where, Behavior::Isolated));
    if (type == "Whitespace")
        return std::make_unique<Split>(Pattern(nlohmann::json{{"Regex", R"(\w+|[^\w\s]+)"}}, where),
                                       Behavior::Removed, true);
    if (type == "WhitespaceSplit")
        return std::make_unique<CharSplit>(is_unicode_whitespace, Behavior::Removed);
    if (type == "CharDelimiterSplit") {
        std::string d = json_string(j, "delimiter", where, "");
        size_t len = 0;
        if (d.empty()) throw Error(where + ".delimiter: expected one character");
        char32_t cp = utf8_decode(d, 0, len);
        return std::make_unique<CharSplit>([cp](char32_t c) { return c == cp; }, Behavior::Removed);
    }
    if (type == "BertPreTokenizer") {
        std::vector<std::unique_ptr<PreTokenizer>> items;
        items.push_back(std::make_unique<CharSplit>(is_unicode_whitespace, Behavior::Removed));
        items.push_back(std::make_unique<CharSplit>(is_punct, Behavior::Isolated));
        return std::make_unique<Sequence>(std::move(items));
    }
    if (type == "Sequence")
        return std::make_unique<Sequence>(
            json_sequence<PreTokenizer>(j, "pretokenizers", where, make_pre_tokenizer));
    throw Error(where + ": unsupported pre_tokenizer type \"" + type + "\"");
}

}  // namespace hy::tok
