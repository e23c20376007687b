// Normalization forms per UAX #15: full decomposition (canonical or compatibility, Hangul algorithmic),
// canonical ordering by combining class, then canonical composition for the C forms.
#include <algorithm>
#include <vector>

#include "tokenizer/unicode_tables.h"
#include "tokenizer/utf8.h"

namespace hy::tok {

namespace {

constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr char32_t kLCount = 19, kVCount = 21, kTCount = 28, kNCount = kVCount * kTCount,
                   kSCount = kLCount * kNCount;

uint8_t ccc_of(char32_t cp) {
    if (cp < 0x300) return 0;
    const auto* b = ucd::ccc.entries;
    const auto* e = b + ucd::ccc.size;
    auto it = std::lower_bound(b, e, cp, [](const ucd::CccEntry& x, char32_t c) { return x.cp < c; });
    return it != e && it->cp == cp ? it->ccc : 0;
}

const ucd::MapEntry* find_map(const ucd::MapTable& t, char32_t cp) {
    const auto* b = t.entries;
    const auto* e = b + t.size;
    auto it = std::lower_bound(b, e, cp, [](const ucd::MapEntry& x, char32_t c) { return x.cp < c; });
    return it != e && it->cp == cp ? it : nullptr;
}

bool in_ranges(const ucd::RangeTable& t, char32_t cp) {
    const auto* b = t.ranges;
    const auto* e = b + t.size;
    auto it = std::upper_bound(b, e, cp, [](char32_t c, const ucd::Range& r) { return c < r.lo; });
    return it != b && cp <= (it - 1)->hi;
}

void decompose(char32_t cp, bool compat, std::vector<char32_t>& out) {
    if (cp >= kSBase && cp < kSBase + kSCount) {
        char32_t s = cp - kSBase;
        out.push_back(kLBase + s / kNCount);
        out.push_back(kVBase + (s % kNCount) / kTCount);
        if (s % kTCount) out.push_back(kTBase + s % kTCount);
        return;
    }
    if (cp >= 0xA0) {  // nothing below U+00A0 decomposes
        const ucd::MapTable* table = &ucd::compat;
        const ucd::MapEntry* m = compat ? find_map(ucd::compat, cp) : nullptr;
        if (!m) {
            table = &ucd::canonical;
            m = find_map(ucd::canonical, cp);
        }
        if (m) {
            out.insert(out.end(), table->data + m->offset, table->data + m->offset + m->length);
            return;
        }
    }
    out.push_back(cp);
}

char32_t compose_pair(char32_t a, char32_t b) {
    if (a >= kLBase && a < kLBase + kLCount && b >= kVBase && b < kVBase + kVCount)
        return kSBase + ((a - kLBase) * kVCount + (b - kVBase)) * kTCount;
    if (a >= kSBase && a < kSBase + kSCount && (a - kSBase) % kTCount == 0 && b > kTBase &&
        b < kTBase + kTCount)
        return a + (b - kTBase);
    const auto* beg = ucd::composition.entries;
    const auto* end = beg + ucd::composition.size;
    auto it = std::lower_bound(beg, end, std::pair{a, b},
                               [](const ucd::ComposeEntry& x, std::pair<char32_t, char32_t> k) {
                                   return x.first != k.first ? x.first < k.first : x.second < k.second;
                               });
    return it != end && it->first == a && it->second == b ? it->composite : 0;
}

// Canonical composition, following the sample code of UAX #15: a character composes with the last
// starter unless a character of the same or higher class (or a starter) sits between them.
void compose(std::vector<char32_t>& s) {
    if (s.empty()) return;
    size_t starter = 0;
    int last_class = ccc_of(s[0]) == 0 ? 0 : 256;
    size_t w = 1;
    for (size_t i = 1; i < s.size(); ++i) {
        char32_t c = s[i];
        int cc = ccc_of(c);
        if (last_class < cc || last_class == 0) {
            if (char32_t p = compose_pair(s[starter], c)) {
                s[starter] = p;
                continue;
            }
        }
        if (cc == 0) starter = w;
        last_class = cc;
        s[w++] = c;
    }
    s.resize(w);
}

}  // namespace

std::string unicode_normalize(std::string_view text, NormalForm form) {
    const bool compat = form == NormalForm::NFKC || form == NormalForm::NFKD;
    const bool comp = form == NormalForm::NFC || form == NormalForm::NFKC;
    // Fast path: text below U+0080 never changes; below U+0300 it is already in NFC.
    const unsigned char limit = form == NormalForm::NFC ? 0xCC : 0xC2;
    bool trivial = true;
    for (char c : text)
        if (static_cast<unsigned char>(c) >= limit) {
            trivial = false;
            break;
        }
    if (trivial) {
        if (utf8_valid_prefix(text) == text.size()) return std::string(text);
        return utf8_lossy(text);
    }
    std::vector<char32_t> cps;
    cps.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        size_t len = 0;
        char32_t cp = utf8_decode(text, i, len);
        decompose(cp, compat, cps);
        i += len;
    }
    // Canonical ordering: stable sort of each run of non-starters by combining class.
    for (size_t i = 0; i < cps.size();) {
        if (ccc_of(cps[i]) == 0) {
            ++i;
            continue;
        }
        size_t j = i;
        while (j < cps.size() && ccc_of(cps[j]) != 0) ++j;
        std::stable_sort(cps.begin() + i, cps.begin() + j,
                         [](char32_t a, char32_t b) { return ccc_of(a) < ccc_of(b); });
        i = j;
    }
    if (comp) compose(cps);
    std::string out;
    out.reserve(text.size());
    for (char32_t cp : cps) utf8_append(out, cp);
    return out;
}

std::string unicode_lowercase(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            out += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
            ++i;
            continue;
        }
        size_t len = 0;
        char32_t cp = utf8_decode(text, i, len);
        if (const ucd::MapEntry* m = find_map(ucd::lowercase, cp)) {
            for (uint32_t k = 0; k < m->length; ++k) utf8_append(out, ucd::lowercase.data[m->offset + k]);
        } else {
            utf8_append(out, cp);
        }
        i += len;
    }
    return out;
}

bool is_unicode_punctuation(char32_t cp) {
    return in_ranges(ucd::punctuation, cp);
}
bool is_unicode_numeric(char32_t cp) {
    return in_ranges(ucd::numeric, cp);
}
bool is_unicode_alphanumeric(char32_t cp) {
    return in_ranges(ucd::alphanumeric, cp);
}
bool is_unicode_whitespace(char32_t cp) {
    return in_ranges(ucd::whitespace, cp);
}

}  // namespace hy::tok
