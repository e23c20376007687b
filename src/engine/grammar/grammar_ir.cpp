// Lowering of Expr trees into the flat Grammar form, and the checks that keep the matcher finite.
#include "engine/grammar/grammar_ir.h"

#include <algorithm>
#include <functional>
#include <unordered_map>

#include "core/error.h"
#include "engine/grammar/grammar.h"

namespace hy::grammar {

Expr byte_set(const ByteSet& set) {
    Expr e;
    e.kind = Expr::Kind::Bytes;
    e.bytes = set;
    return e;
}

Expr byte_range(unsigned lo, unsigned hi) {
    ByteSet s;
    s.set_range(lo, hi);
    return byte_set(s);
}

Expr literal(std::string_view bytes) {
    Expr e;
    for (unsigned char c : bytes) e.items.push_back(byte_range(c, c));
    return e;
}

Expr seq(std::vector<Expr> items) {
    Expr e;
    e.items = std::move(items);
    return e;
}

Expr alt(std::vector<Expr> items) {
    if (items.size() == 1) return std::move(items[0]);
    Expr e;
    e.kind = Expr::Kind::Alt;
    e.items = std::move(items);
    return e;
}

Expr ref(uint32_t rule) {
    Expr e;
    e.kind = Expr::Kind::Ref;
    e.rule = rule;
    return e;
}

Expr repeat(Expr body, uint32_t min, uint32_t max) {
    Expr e;
    e.kind = Expr::Kind::Repeat;
    e.items.push_back(std::move(body));
    e.min = min;
    e.max = max;
    return e;
}

uint32_t GrammarBuilder::declare(std::string name) {
    names_.push_back(std::move(name));
    bodies_.emplace_back();
    defined_.push_back(false);
    return static_cast<uint32_t>(names_.size() - 1);
}

void GrammarBuilder::define(uint32_t rule, Expr body) {
    bodies_[rule] = std::move(body);
    defined_[rule] = true;
}

namespace {

// A grammar larger than this is almost surely a pathological schema (huge unrolled counts).
constexpr size_t kMaxElements = 4'000'000;

struct ByteSetHash {
    size_t operator()(const ByteSet& s) const noexcept {
        uint64_t h = s.w[0] * 0x9E3779B97F4A7C15ull;
        h ^= s.w[1] + 0x7F4A7C15ull + (h << 6) + (h >> 2);
        h ^= s.w[2] + 0x9E3779B9ull + (h << 6) + (h >> 2);
        h ^= s.w[3] + 0x85EBCA6Bull + (h << 6) + (h >> 2);
        return static_cast<size_t>(h);
    }
};

class Lowering {
  public:
    Lowering(const std::vector<std::string>& names, const std::string& what) : what_(what) {
        names_ = names;
        alts_.resize(names.size());
        // Position 0: the synthetic start [Ref(root), End]; filled in by run().
        elements_ = {0, Grammar::kEnd};
    }

    void lower_rule(uint32_t rule, const Expr& body) { alts_[rule] = lower_alternatives(body); }

    std::shared_ptr<const Grammar> finish(uint32_t root) {
        elements_[0] = Grammar::ref_element(root);
        check_productive(root);
        check_left_recursion();
        return std::make_shared<Grammar>(std::move(elements_), std::move(sets_), std::move(alts_),
                                         std::move(names_));
    }

  private:
    using Seq = std::vector<int32_t>;

    std::vector<uint32_t> lower_alternatives(const Expr& e) {
        std::vector<Seq> seqs;
        collect_alternatives(e, seqs);
        std::vector<uint32_t> starts;
        for (auto& s : seqs) {
            starts.push_back(static_cast<uint32_t>(elements_.size()));
            elements_.insert(elements_.end(), s.begin(), s.end());
            elements_.push_back(Grammar::kEnd);
        }
        if (elements_.size() > kMaxElements)
            throw Error(what_ + ": the grammar is too large (over 4M elements)");
        return starts;
    }

    void collect_alternatives(const Expr& e, std::vector<Seq>& out) {
        if (e.kind == Expr::Kind::Alt) {
            for (auto& item : e.items) collect_alternatives(item, out);
            return;
        }
        Seq s;
        lower_sequence(e, s);
        out.push_back(std::move(s));
    }

    uint32_t new_rule(const std::string& name, const Expr& body) {
        uint32_t id = static_cast<uint32_t>(names_.size());
        names_.push_back(name);
        alts_.emplace_back();
        auto starts = lower_alternatives(body);
        alts_[id] = std::move(starts);
        return id;
    }

    uint32_t new_rule_from(const std::string& name, std::vector<Seq> seqs) {
        uint32_t id = static_cast<uint32_t>(names_.size());
        names_.push_back(name);
        alts_.emplace_back();
        std::vector<uint32_t> starts;
        for (auto& s : seqs) {
            starts.push_back(static_cast<uint32_t>(elements_.size()));
            elements_.insert(elements_.end(), s.begin(), s.end());
            elements_.push_back(Grammar::kEnd);
        }
        alts_[id] = std::move(starts);
        return id;
    }

    int32_t set_id(const ByteSet& s) {
        auto [it, inserted] = set_ids_.try_emplace(s, static_cast<int32_t>(sets_.size()));
        if (inserted) sets_.push_back(s);
        return it->second;
    }

    void lower_sequence(const Expr& e, Seq& out) {
        switch (e.kind) {
            case Expr::Kind::Bytes:
                out.push_back(set_id(e.bytes));
                return;
            case Expr::Kind::Ref:
                out.push_back(Grammar::ref_element(e.rule));
                return;
            case Expr::Kind::Seq:
                for (auto& item : e.items) lower_sequence(item, out);
                return;
            case Expr::Kind::Alt:
                if (e.items.size() == 1) {
                    lower_sequence(e.items[0], out);
                } else {
                    out.push_back(Grammar::ref_element(new_rule("alt", e)));
                }
                return;
            case Expr::Kind::Repeat:
                lower_repeat(e, out);
                return;
        }
    }

    // x{min,max}: min copies of x, then either a right-recursive loop (unbounded) or a chain of
    // nested optionals o_k ::= x o_{k-1} | "" which, unlike x? x? x?, is unambiguous and so keeps the
    // matcher's state sets small.
    void lower_repeat(const Expr& e, Seq& out) {
        if (e.max != kUnbounded && e.max < e.min) throw Error(what_ + ": repetition with max < min");
        if (e.max == 0) return;
        Seq body;
        lower_sequence(e.items[0], body);
        int32_t x;
        if (body.size() == 1) {
            x = body[0];
        } else {
            x = Grammar::ref_element(new_rule_from("rep", {body}));
        }
        if (static_cast<size_t>(e.min) + out.size() > kMaxElements)
            throw Error(what_ + ": the grammar is too large (repetition count " + std::to_string(e.min) +
                        ")");
        out.insert(out.end(), e.min, x);
        if (e.max == kUnbounded) {
            uint32_t loop = static_cast<uint32_t>(names_.size());
            new_rule_from("star", {Seq{x, Grammar::ref_element(loop)}, Seq{}});
            out.push_back(Grammar::ref_element(loop));
            return;
        }
        uint32_t extra = e.max - e.min;
        if (extra == 0) return;
        if (extra > kMaxElements / 4) throw Error(what_ + ": the grammar is too large (repetition count)");
        int32_t prev = Grammar::ref_element(new_rule_from("opt", {Seq{x}, Seq{}}));
        for (uint32_t k = 1; k < extra; ++k)
            prev = Grammar::ref_element(new_rule_from("opt", {Seq{x, prev}, Seq{}}));
        out.push_back(prev);
    }

    // The matcher expands rule references eagerly, so a rule that can reach itself at the same input
    // position would expand forever. Such cycles are safe only when every reference on them is a tail
    // call (the matcher reuses the caller's frame), which is how right recursion and loops stay finite.
    void check_left_recursion() {
        const size_t n = names_.size();
        std::vector<char> nullable(n, 0);
        for (bool changed = true; changed;) {
            changed = false;
            for (size_t r = 0; r < n; ++r) {
                if (nullable[r]) continue;
                for (uint32_t start : alts_[r]) {
                    if (prefix_nullable(start, Grammar::kEnd, nullable)) {
                        nullable[r] = 1;
                        changed = true;
                        break;
                    }
                }
            }
        }
        // Leftmost edges r -> s (s referenced after a nullable prefix), marked tail when only kEnd follows.
        std::vector<std::vector<std::pair<uint32_t, bool>>> edges(n);
        for (size_t r = 0; r < n; ++r) {
            for (uint32_t start : alts_[r]) {
                for (uint32_t p = start; elements_[p] != Grammar::kEnd; ++p) {
                    int32_t e = elements_[p];
                    if (e >= 0) break;
                    uint32_t s = Grammar::ref_rule(e);
                    edges[r].push_back({s, elements_[p + 1] == Grammar::kEnd});
                    if (!nullable[s]) break;
                }
            }
        }
        std::vector<uint32_t> mark(n, 0);
        uint32_t stamp = 0;
        std::function<bool(uint32_t, uint32_t)> reaches = [&](uint32_t from, uint32_t target) {
            if (from == target) return true;
            if (mark[from] == stamp) return false;
            mark[from] = stamp;
            for (auto [s, tail] : edges[from])
                if (reaches(s, target)) return true;
            return false;
        };
        for (size_t r = 0; r < n; ++r) {
            for (auto [s, tail] : edges[r]) {
                if (tail) continue;
                ++stamp;
                if (reaches(s, static_cast<uint32_t>(r)))
                    throw Error(what_ + ": rule '" + names_[r] +
                                "' is left-recursive, which is not supported");
            }
        }
    }

    // A grammar whose start rule derives no string at all would leave the matcher with nothing to allow.
    void check_productive(uint32_t root) {
        std::vector<char> productive(names_.size(), 0);
        for (bool changed = true; changed;) {
            changed = false;
            for (size_t r = 0; r < names_.size(); ++r) {
                if (productive[r]) continue;
                for (uint32_t start : alts_[r]) {
                    bool ok = true;
                    for (uint32_t p = start; ok && elements_[p] != Grammar::kEnd; ++p) {
                        int32_t e = elements_[p];
                        ok = e >= 0 ? !sets_[static_cast<size_t>(e)].empty()
                                    : productive[Grammar::ref_rule(e)] != 0;
                    }
                    if (ok) {
                        productive[r] = 1;
                        changed = true;
                        break;
                    }
                }
            }
        }
        if (!productive[root]) throw Error(what_ + ": matches nothing (no string satisfies it)");
    }

    bool prefix_nullable(uint32_t p, int32_t, const std::vector<char>& nullable) const {
        for (; elements_[p] != Grammar::kEnd; ++p) {
            int32_t e = elements_[p];
            if (e >= 0 || !nullable[Grammar::ref_rule(e)]) return false;
        }
        return true;
    }

    std::string what_;
    std::vector<std::string> names_;
    std::vector<std::vector<uint32_t>> alts_;
    std::vector<int32_t> elements_;
    std::vector<ByteSet> sets_;
    std::unordered_map<ByteSet, int32_t, ByteSetHash> set_ids_;
};

}  // namespace

std::shared_ptr<const Grammar> GrammarBuilder::build(uint32_t root, const std::string& what) {
    for (size_t r = 0; r < names_.size(); ++r)
        if (!defined_[r]) throw Error(what + ": rule '" + names_[r] + "' is used but never defined");
    Lowering lowering(names_, what);
    for (size_t r = 0; r < names_.size(); ++r) lowering.lower_rule(static_cast<uint32_t>(r), bodies_[r]);
    return lowering.finish(root);
}

}  // namespace hy::grammar
