#include "engine/grammar/json_grammar.h"

#include <map>

#include "core/error.h"
#include "engine/grammar/regex_compiler.h"
#include "engine/grammar/utf8_ranges.h"

namespace hy::grammar {

namespace {

// Numbers stay within what a double holds, so every validator parses them to a finite value:
// integer parts of at most 19 digits (all of int64), exponents of at most 2 digits.
constexpr uint32_t kMaxIntegerDigits = 19;
constexpr uint32_t kMaxExponentDigits = 2;

Expr digits(uint32_t min, uint32_t max = kUnbounded) {
    return repeat(byte_range('0', '9'), min, max);
}

Expr nonzero_int() {
    return alt({literal("0"), seq({byte_range('1', '9'), digits(0, kMaxIntegerDigits - 1)})});
}

Expr fraction_exponent() {
    return seq({optional(seq({literal("."), digits(1)})), optional(seq({byte_set([] {
                                                                            ByteSet s;
                                                                            s.set('e'), s.set('E');
                                                                            return s;
                                                                        }()),
                                                                        optional(byte_set([] {
                                                                            ByteSet s;
                                                                            s.set('+'), s.set('-');
                                                                            return s;
                                                                        }())),
                                                                        digits(1, kMaxExponentDigits)}))});
}

std::vector<unsigned> decimal(uint64_t v) {
    std::vector<unsigned> out;
    for (char c : std::to_string(v)) out.push_back(static_cast<unsigned char>(c));
    return out;
}

// Decimal spellings (no leading zeros) of lo..hi, hi absent = unbounded.
Expr non_negative_range(uint64_t lo, std::optional<uint64_t> hi) {
    std::vector<Expr> alts;
    const size_t lo_len = std::to_string(lo).size();
    const size_t hi_len = hi ? std::to_string(*hi).size() : lo_len;
    uint64_t pow = 1;  // 10^(len-1)
    for (size_t k = 1; k < lo_len; ++k) pow *= 10;
    for (size_t len = lo_len; len <= hi_len; ++len, pow *= 10) {
        uint64_t a = len == 1 ? lo : std::max(lo, pow);
        uint64_t top = len >= 19 ? 9'999'999'999'999'999'999ull : pow * 10 - 1;
        uint64_t b = hi ? std::min(*hi, top) : top;
        if (a > b) continue;
        alts.push_back(lexicographic_range(decimal(a), decimal(b), '0', '9'));
        if (len >= 19) break;
    }
    if (!hi && lo_len < kMaxIntegerDigits)
        alts.push_back(
            seq({byte_range('1', '9'), digits(static_cast<uint32_t>(lo_len), kMaxIntegerDigits - 1)}));
    return alt(std::move(alts));
}

bool only_whitespace(const Expr& e) {
    if (e.kind == Expr::Kind::Bytes) {
        for (unsigned b = 0; b < 256; ++b)
            if (e.bytes.test(b) && b != ' ' && b != '\t' && b != '\n' && b != '\r') return false;
        return true;
    }
    for (const auto& item : e.items)
        if (!only_whitespace(item)) return false;
    return true;
}

}  // namespace

uint32_t JsonGrammar::lazy_rule(uint32_t& slot, const char* name, Expr (JsonGrammar::*make)()) {
    if (slot == kNone) {
        slot = b_.declare(name);
        b_.define(slot, (this->*make)());
    }
    return slot;
}

Expr JsonGrammar::make_ws() {
    auto re = compile_regex_expr(opt_.whitespace_pattern, RegexMode::Raw, opt_.max_repetition,
                                 "whitespace_pattern");
    if (!only_whitespace(re.expr))
        throw Error("whitespace_pattern may match only spaces, tabs, CR and LF: '" + opt_.whitespace_pattern +
                    "'");
    return std::move(re.expr);
}

Expr JsonGrammar::ws() {
    if (opt_.whitespace_pattern.empty()) return empty_string();
    return ref(lazy_rule(ws_, "ws", &JsonGrammar::make_ws));
}

Expr JsonGrammar::make_char() {
    ByteSet simple_escapes, hex, hex_no_d, d, low_oct;
    for (char c : std::string("\"\\/bfnrt")) simple_escapes.set(static_cast<unsigned char>(c));
    for (char c : std::string("0123456789abcdefABCDEF")) hex.set(static_cast<unsigned char>(c));
    hex_no_d = hex;
    hex_no_d.w[1] &= ~((uint64_t{1} << ('d' - 64)) | (uint64_t{1} << ('D' - 64)));
    d.set('d'), d.set('D');
    low_oct.set_range('0', '7');
    // \uXXXX escapes of surrogates are excluded: a lone one is not a character.
    Expr unicode = alt({seq({byte_set(hex_no_d), byte_set(hex), byte_set(hex), byte_set(hex)}),
                        seq({byte_set(d), byte_set(low_oct), byte_set(hex), byte_set(hex)})});
    Expr escape =
        seq({literal("\\"), alt({byte_set(simple_escapes), seq({literal("u"), std::move(unicode)})})});
    return alt({utf8_expr({{0x20, 0x21}, {0x23, 0x5B}, {0x5D, kMaxCodepoint}}), std::move(escape)});
}

Expr JsonGrammar::string_char() {
    return ref(lazy_rule(char_, "char", &JsonGrammar::make_char));
}

Expr JsonGrammar::make_string() {
    return seq({literal("\""), star(string_char()), literal("\"")});
}

Expr JsonGrammar::string(uint32_t min_chars, uint32_t max_chars) {
    if (min_chars == 0 && max_chars == kUnbounded)
        return ref(lazy_rule(string_, "string", &JsonGrammar::make_string));
    return seq({literal("\""), repeat(string_char(), min_chars, max_chars), literal("\"")});
}

Expr JsonGrammar::number() {
    return seq({optional(literal("-")), nonzero_int(), fraction_exponent()});
}

Expr JsonGrammar::integer_range(std::optional<int64_t> lo, std::optional<int64_t> hi) {
    std::vector<Expr> alts;
    // x >= 0
    int64_t pos_lo = lo ? std::max<int64_t>(*lo, 0) : 0;
    if (!hi || pos_lo <= *hi)
        alts.push_back(
            non_negative_range(static_cast<uint64_t>(pos_lo),
                               hi ? std::optional<uint64_t>(static_cast<uint64_t>(*hi)) : std::nullopt));
    // x <= -1, spelled "-" |x|
    int64_t neg_hi = hi ? std::min<int64_t>(*hi, -1) : -1;
    if (!lo || *lo <= neg_hi)
        alts.push_back(seq(
            {literal("-"),
             non_negative_range(static_cast<uint64_t>(-neg_hi),
                                lo ? std::optional<uint64_t>(static_cast<uint64_t>(-*lo)) : std::nullopt)}));
    return alt(std::move(alts));
}

namespace {

// Spellings I[.F] of non-negative numbers in [lo, hi]: I in [lo, hi - 1] with any fraction, or I = hi
// with a fraction of zeros only (I.F lies in [I, I + 1)).
Expr non_negative_number_range(uint64_t lo, std::optional<uint64_t> hi) {
    Expr frac = optional(seq({literal("."), digits(1)}));
    if (!hi) return seq({non_negative_range(lo, std::nullopt), std::move(frac)});
    std::vector<Expr> alts;
    if (*hi > lo) alts.push_back(seq({non_negative_range(lo, *hi - 1), std::move(frac)}));
    alts.push_back(seq(
        {non_negative_range(*hi, *hi), optional(seq({literal("."), repeat(literal("0"), 1, kUnbounded)}))}));
    return alt(std::move(alts));
}

}  // namespace

Expr JsonGrammar::number_range(std::optional<int64_t> lo, std::optional<int64_t> hi) {
    std::vector<Expr> alts;
    if (!hi || *hi >= 0) {
        uint64_t a = static_cast<uint64_t>(lo ? std::max<int64_t>(*lo, 0) : 0);
        alts.push_back(non_negative_number_range(
            a, hi ? std::optional<uint64_t>(static_cast<uint64_t>(*hi)) : std::nullopt));
    }
    if (!lo || *lo < 0) {  // "-" v with v in [max(-hi, 0), -lo]; "-0" only when 0 is in range
        uint64_t a = static_cast<uint64_t>(hi ? std::max<int64_t>(-*hi, 0) : 0);
        alts.push_back(seq({literal("-"), non_negative_number_range(
                                              a, lo ? std::optional<uint64_t>(static_cast<uint64_t>(-*lo))
                                                    : std::nullopt)}));
    }
    return alt(std::move(alts));
}

Expr JsonGrammar::make_value() {
    return alt({any_object(), ref(lazy_rule(array_, "array", &JsonGrammar::make_array)),
                string(0, kUnbounded), number(), literal("true"), literal("false"), literal("null")});
}

Expr JsonGrammar::any_value() {
    return ref(lazy_rule(value_, "value", &JsonGrammar::make_value));
}

Expr JsonGrammar::make_object() {
    Expr member = seq({string(0, kUnbounded), ws(), literal(":"), ws(), any_value()});
    return object({}, member);
}

Expr JsonGrammar::any_object() {
    return ref(lazy_rule(object_, "object", &JsonGrammar::make_object));
}

Expr JsonGrammar::make_array() {
    return array({}, any_value(), 0, kUnbounded);
}

Expr JsonGrammar::key_excluding(const std::vector<std::string>& names) {
    ByteSet key_bytes;
    key_bytes.set_range(0x20, 0x7E);
    key_bytes.w[0] &= ~(uint64_t{1} << '"');
    key_bytes.w[1] &= ~(uint64_t{1} << ('\\' - 64));
    // A trie of the names that such a key could spell; node 0 is the empty prefix.
    struct Node {
        std::map<unsigned char, size_t> next;
        bool terminal = false;
    };
    std::vector<Node> trie(1);
    for (const auto& name : names) {
        bool spellable = true;
        for (unsigned char c : name) spellable = spellable && key_bytes.test(c);
        if (!spellable) continue;
        size_t at = 0;
        for (unsigned char c : name) {
            auto it = trie[at].next.find(c);
            if (it == trie[at].next.end()) {
                trie.push_back({});
                it = trie[at].next.emplace(c, trie.size() - 1).first;
            }
            at = it->second;
        }
        trie[at].terminal = true;
    }
    // rest(t) ::= '"' (unless t spells a name) | c rest(t c) for trie children | other-byte free* '"'
    std::vector<uint32_t> rules(trie.size());
    for (auto& r : rules) r = b_.declare("key");
    Expr tail = seq({star(byte_set(key_bytes)), literal("\"")});
    for (size_t t = 0; t < trie.size(); ++t) {
        std::vector<Expr> alts;
        if (!trie[t].terminal) alts.push_back(literal("\""));
        ByteSet others = key_bytes;
        for (auto [c, child] : trie[t].next) {
            alts.push_back(seq({byte_range(c, c), ref(rules[child])}));
            others.w[c >> 6] &= ~(uint64_t{1} << (c & 63));
        }
        if (!others.empty()) alts.push_back(seq({byte_set(others), tail}));
        b_.define(rules[t], alt(std::move(alts)));
    }
    return seq({literal("\""), ref(rules[0])});
}

Expr JsonGrammar::object(const std::vector<ObjectMember>& members, const std::optional<Expr>& extra) {
    // first[i]: members i.. with nothing written yet; rest[i]: members i.. after something was written
    // (so each starts with a comma). Declared as rules so the alternatives share their tails.
    const size_t n = members.size();
    std::vector<uint32_t> first(n + 1), rest(n + 1);
    for (size_t i = 0; i <= n; ++i) {
        first[i] = b_.declare("obj_first");
        rest[i] = b_.declare("obj_rest");
    }
    Expr comma = seq({ws(), literal(","), ws()});
    if (extra) {
        b_.define(rest[n], star(seq({comma, *extra})));
        b_.define(first[n], optional(seq({*extra, ref(rest[n])})));
    } else {
        b_.define(rest[n], empty_string());
        b_.define(first[n], empty_string());
    }
    for (size_t k = n; k-- > 0;) {
        const auto& m = members[k];
        Expr kv = seq({literal(m.key_json), ws(), literal(":"), ws(), m.value});
        std::vector<Expr> f{seq({kv, ref(rest[k + 1])})}, r{seq({comma, kv, ref(rest[k + 1])})};
        if (!m.required) {
            f.push_back(ref(first[k + 1]));
            r.push_back(ref(rest[k + 1]));
        }
        b_.define(first[k], alt(std::move(f)));
        b_.define(rest[k], alt(std::move(r)));
    }
    return seq({literal("{"), ws(), ref(first[0]), ws(), literal("}")});
}

Expr JsonGrammar::array(const std::vector<Expr>& items, const std::optional<Expr>& rest, uint32_t min,
                        uint32_t max) {
    // tail(i): the items after the first i, each preceded by a comma.
    Expr comma = seq({ws(), literal(","), ws()});
    auto item = [&](uint32_t i) -> const Expr& { return i < items.size() ? items[i] : *rest; };
    const uint32_t fixed = std::max<uint32_t>(static_cast<uint32_t>(items.size()), min);
    const uint32_t last = max == kUnbounded ? std::max<uint32_t>(fixed, 1) : max;  // no tails beyond `last`
    std::vector<uint32_t> tail(last + 1);
    for (auto& t : tail) t = b_.declare("arr_tail");
    for (uint32_t i = last + 1; i-- > 1;) {
        if (i == last) {
            b_.define(tail[i], max == kUnbounded && rest ? star(seq({comma, *rest})) : empty_string());
            continue;
        }
        std::vector<Expr> alts{seq({comma, item(i), ref(tail[i + 1])})};
        if (i >= min) alts.push_back(empty_string());
        b_.define(tail[i], alt(std::move(alts)));
    }
    std::vector<Expr> body;
    if (last >= 1) body.push_back(seq({item(0), ref(tail[1])}));
    if (min == 0) body.push_back(empty_string());
    b_.define(tail[0], empty_string());
    return seq({literal("["), ws(), alt(std::move(body)), ws(), literal("]")});
}

}  // namespace hy::grammar
