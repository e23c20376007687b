#include "engine/grammar/test_support.h"

#include <algorithm>
#include <set>

#include "core/error.h"
#include "engine/grammar/grammar_matcher.h"
#include "engine/grammar/token_vocabulary.h"

namespace hy::grammar {

std::shared_ptr<TokenVocabulary> make_test_vocabulary(uint64_t seed) {
    std::set<std::string> tokens;
    for (int b = 0; b < 256; ++b) tokens.insert(std::string(1, static_cast<char>(b)));
    for (const char* t :
         {"{\"",       "\":",      "\",",    "\"}",         "},",         "}]",          "[{",
          "\":\"",     "\",\"",    "\":[",   "\":{",        "]}",         "}}",          "[]",
          "{}",        "[\"",      "\"]",    "\":-",        "true",       "false",       "null",
          "tr",        "ue",       "fa",     "lse",         "nu",         "ll",          ", ",
          ": ",        "\n",       "  ",     "\\\"",        "\\\\",       "\\n",         "\\t",
          "\\u00e9",   "\\u",      "00",     "12",          "345",        "0.",          ".5",
          "e+",        "E-",       "e1",     "1e",          "-1",         "100",         "2024",
          "-0",        "é",        "日本",   "語",          "😀",          "ü",           "Ω",
          "\xF0\x9F",  "\x98\x80", "@",      ".com",        "example",    "user",        "T12:",
          ":00",       "Z",        "+01:00", "-01-",        "-12-31",     "2023",        "-",
          "1",         "a",        "ab",     "abc",         "id",         "name",        "type",
          "value",     "items",    "age",    "tags",        "email",      "children",    "next",
          "data",      "\"name",   "\"id",   "\"type\":\"", "\"value\":", "\"items\":[", "\"children\":[",
          "\"next\":", "\"a\":",   "\"b\":", "\"c\":",      "ok",         "error",       "red",
          "green",     "blue"})
        tokens.insert(t);
    std::mt19937_64 rng(seed);
    const std::string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:,\"{}[] ";
    while (tokens.size() < 1500) {
        size_t len = 2 + rng() % 7;
        std::string w;
        for (size_t i = 0; i < len; ++i) w += alphabet[rng() % alphabet.size()];
        tokens.insert(w);
    }
    std::vector<std::string> bytes(tokens.begin(), tokens.end());
    std::shuffle(bytes.begin(), bytes.end(), rng);
    bytes.push_back("<pad>");
    bytes.push_back("<eos>");
    uint32_t pad = static_cast<uint32_t>(bytes.size() - 2), eos = pad + 1;
    return std::make_shared<TokenVocabulary>(std::move(bytes), std::vector<uint32_t>{pad},
                                             std::vector<uint32_t>{eos});
}

SampleResult sample_random(GrammarMatcher& matcher, const TokenVocabulary& vocab, std::mt19937_64& rng,
                           size_t max_tokens, size_t soft_limit) {
    static const std::set<std::string> kClosers = {"\"", "}", "]", "0", "\"}", "\"]", "}}", "]}"};
    SampleResult r;
    std::vector<uint32_t> mask(vocab.mask_words());
    std::vector<uint32_t> allowed, closers;
    while (r.tokens.size() < max_tokens) {
        matcher.fill_next_token_mask(mask.data());
        allowed.clear();
        closers.clear();
        for (uint32_t id = 0; id < vocab.size(); ++id) {
            if (!((mask[id >> 5] >> (id & 31)) & 1)) continue;
            allowed.push_back(id);
            if (vocab.is_eos(id) || kClosers.count(vocab.token_bytes(id))) closers.push_back(id);
        }
        if (allowed.empty())
            throw Error("sample_random: the mask allows no token and the matcher cannot end");
        const bool close = r.tokens.size() >= soft_limit && !closers.empty() && (rng() & 1);
        const auto& pool = close ? closers : allowed;
        uint32_t id = pool[rng() % pool.size()];
        if (!matcher.accept_token(id))
            throw Error("sample_random: the mask allowed token " + std::to_string(id) +
                        " but accept_token refused it");
        r.tokens.push_back(id);
        if (vocab.is_eos(id)) {
            r.finished = true;
            break;
        }
        r.text += vocab.token_bytes(id);
    }
    return r;
}

}  // namespace hy::grammar
