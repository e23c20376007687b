// Unit tests of the tokenizer's building blocks: Unicode normalization, UTF-8 helpers, regex matching,
// error reporting for broken files, GGUF vocabularies (GPT-2 BPE and SentencePiece), the streaming
// detokenizer, and concurrent use.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/error.h"
#include "tokenizer/bpe_trainer.h"
#include "tokenizer/regex.h"
#include "tokenizer/stream_decoder.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode_tables.h"
#include "tokenizer/utf8.h"

namespace hy::tok {
namespace {

const std::string kDir = std::string(HYSERVE_TEST_DATA_DIR) + "/tokenizer/";

nlohmann::json read_json(const std::string& path) {
    std::ifstream f(path);
    return nlohmann::json::parse(f);
}

TEST(Unicode, NormalizationForms) {
    EXPECT_EQ(unicode_normalize("e\u0301", NormalForm::NFC), "\u00e9");
    EXPECT_EQ(unicode_normalize("\u00e9", NormalForm::NFD), "e\u0301");
    EXPECT_EQ(unicode_normalize("\ufb01 \uff12", NormalForm::NFKC), "fi 2");
    EXPECT_EQ(unicode_normalize("\u1100\u1161\u11a8", NormalForm::NFC), "\uac01");  // Hangul LV + T
    EXPECT_EQ(unicode_normalize("\uac01", NormalForm::NFD), "\u1100\u1161\u11a8");
    // UAX #15 examples: long s with dot above and dot below.
    EXPECT_EQ(unicode_normalize("\u1e9b\u0323", NormalForm::NFC), "\u1e9b\u0323");
    EXPECT_EQ(unicode_normalize("\u1e9b\u0323", NormalForm::NFD), "\u017f\u0323\u0307");
    EXPECT_EQ(unicode_normalize("\u1e9b\u0323", NormalForm::NFKC), "\u1e69");
    EXPECT_EQ(unicode_normalize("\u1e9b\u0323", NormalForm::NFKD), "s\u0323\u0307");
    // Canonical reordering of marks, then composition with the starter.
    EXPECT_EQ(unicode_normalize("a\u0307\u0323", NormalForm::NFC), "\u1ea1\u0307");
    EXPECT_EQ(unicode_normalize("plain ascii", NormalForm::NFKC), "plain ascii");
    EXPECT_EQ(unicode_normalize("bad \xff byte", NormalForm::NFC), "bad \ufffd byte");
}

TEST(Unicode, LowercaseAndClasses) {
    EXPECT_EQ(unicode_lowercase("HeLLo \u00c9\u0130\u03a3"), "hello \u00e9i\u0307\u03c3");
    EXPECT_TRUE(is_unicode_punctuation(U'\u00bf'));
    EXPECT_FALSE(is_unicode_punctuation(U'$'));  // a symbol, not punctuation
    EXPECT_TRUE(is_unicode_numeric(U'\u0663'));
    EXPECT_TRUE(is_unicode_whitespace(U'\u3000'));
    EXPECT_FALSE(is_unicode_whitespace(U'\u200b'));
}

TEST(Utf8, LossyAndPrefix) {
    EXPECT_EQ(utf8_lossy("a\xe2\x82"), "a\ufffd");                // truncated sequence: one replacement
    EXPECT_EQ(utf8_lossy("\xc0\x80"), "\ufffd\ufffd");            // overlong: each byte
    EXPECT_EQ(utf8_lossy("\xed\xa0\x80"), "\ufffd\ufffd\ufffd");  // surrogate
    EXPECT_EQ(utf8_valid_prefix("ok\xf0\x9f\x98"), 2u);
}

TEST(Regex, MatchesAndSurvivesBadInput) {
    Regex re(R"(\p{L}+|\p{N})");
    std::vector<std::pair<size_t, size_t>> m;
    re.find_all("ab 12 \xc3\xa9t\xe9", m);
    ASSERT_GE(m.size(), 4u);
    EXPECT_EQ(m[0], (std::pair<size_t, size_t>{0, 2}));
    Regex empty("x*");
    m.clear();
    empty.find_all("abxxc", m);  // empty matches are skipped
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0], (std::pair<size_t, size_t>{2, 4}));
    std::string spaces(200000, ' ');
    Regex ws(R"(\s+(?!\S)|\s+)");
    m.clear();
    ws.find_all(spaces + "x", m);  // long runs must not exhaust the JIT stack
    EXPECT_FALSE(m.empty());
    EXPECT_THROW(Regex("(unclosed", "file.json: pre_tokenizer"), hy::Error);
}

nlohmann::json tiny_tokenizer() {
    return read_json(kDir + "fixtures/bytelevel.json");
}

TEST(Errors, BrokenFilesGiveClearErrors) {
    auto expect_error = [](nlohmann::json j, const std::string& needle) {
        try {
            Tokenizer::from_json(j, nlohmann::json::object(), "t.json");
            ADD_FAILURE() << "no error for " << needle;
        } catch (const hy::Error& e) {
            EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
        }
    };
    auto j = tiny_tokenizer();
    j["normalizer"] = {{"type", "Bogus"}};
    expect_error(j, "t.json.normalizer: unsupported normalizer type \"Bogus\"");
    j = tiny_tokenizer();
    j["model"]["merges"].push_back("nope missing");
    expect_error(j, "is not in the vocab");
    j = tiny_tokenizer();
    j["pre_tokenizer"] = {{"type", "Split"}, {"pattern", {{"Regex", "(["}}}, {"behavior", "Isolated"}};
    expect_error(j, "t.json.pre_tokenizer.pattern: cannot compile regex");
    j = tiny_tokenizer();
    j["model"]["vocab"]["x"] = "not an id";
    expect_error(j, "expected an integer id");
    j = tiny_tokenizer();
    j["model"]["vocab"]["x"] = 60000000;
    expect_error(j, "far beyond");
    j = tiny_tokenizer();
    j["added_tokens"][0].erase("id");
    expect_error(j, "added_tokens[0].id");
    j = tiny_tokenizer();
    j["model"]["type"] = "Unigram";
    expect_error(j, "unsupported model");
    EXPECT_THROW(Tokenizer::from_file(kDir + "does-not-exist"), hy::Error);
    EXPECT_THROW(Tokenizer::from_file(kDir + "fixture_cases.json"),
                 hy::Error);  // valid JSON, not a tokenizer
}

TEST(Gguf, Gpt2VocabularyReproducesLlamaCppIds) {
    nlohmann::json j = read_json(kDir + "gguf_gpt2_vocab.json");
    GgufVocab v;
    v.model = j["model"];
    v.pre = j["pre"];
    v.tokens = j["tokens"].get<std::vector<std::string>>();
    v.merges = j["merges"].get<std::vector<std::string>>();
    v.token_types = j["token_type"].get<std::vector<int32_t>>();
    v.bos_id = j["bos_id"];
    v.eos_id = j["eos_id"];
    v.add_bos = j["add_bos"].get<bool>();
    auto tk = Tokenizer::from_gguf(v, "test.gguf");
    EXPECT_EQ(tk->vocab_size(), 50257u);
    EXPECT_EQ(tk->eos_token(), "<|endoftext|>");
    for (const auto& p : j["prompts"]) {
        std::string text = p["text"];
        EXPECT_EQ(tk->encode(text, true), p["ids"].get<std::vector<int32_t>>()) << text;
        EXPECT_EQ(tk->decode(p["ids"].get<std::vector<int32_t>>(), false), text);
    }
    // The control token <|endoftext|> is matched as one token inside text.
    auto ids = tk->encode("a<|endoftext|>b", false);
    ASSERT_EQ(ids.size(), 3u);
    EXPECT_EQ(ids[1], 50256);
    EXPECT_EQ(tk->decode(ids, true), "ab");
}

GgufVocab tiny_spm() {
    GgufVocab v;
    v.model = "llama";
    v.tokens = {"<unk>", "<s>", "</s>"};
    v.token_types = {2, 3, 3};
    for (int b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        v.tokens.push_back(name);
        v.token_types.push_back(6);
    }
    const char* pieces[] = {"\u2581",  "h",       "e",         "l",  "o",          "w",    "r",
                            "d",       "\u2581h", "el",        "ll", "ell",        "ello", "\u2581hello",
                            "\u2581w", "or",      "\u2581wor", "ld", "\u2581world"};
    float score = 0;
    for (const char* p : pieces) {
        v.tokens.push_back(p);
        v.token_types.push_back(1);
        v.scores.resize(v.tokens.size() - 1, 0.0f);
        v.scores.push_back(score -= 1.0f);
    }
    v.scores.resize(v.tokens.size(), 0.0f);
    v.scores[v.tokens.size() - 5] = 10;  // "\u2581hello" outranks its parts
    v.unk_id = 0;
    v.bos_id = 1;
    v.eos_id = 2;
    return v;
}

TEST(Gguf, SentencePieceVocabularyWithByteFallback) {
    GgufVocab v = tiny_spm();
    auto tk = Tokenizer::from_gguf(v, "spm.gguf");
    auto id = [&](const char* t) { return tk->token_to_id(t); };
    auto ids = tk->encode("hello world \u20ac", true);
    std::vector<int32_t> want = {
        1, id("\u2581hello"), id("\u2581world"), id("\u2581"), id("<0xE2>"), id("<0x82>"), id("<0xAC>")};
    EXPECT_EQ(ids, want);
    EXPECT_EQ(tk->decode(ids, true), "hello world \u20ac");
    EXPECT_EQ(tk->decode(ids, false), "<s> hello world \u20ac");
    v.model = "bert";
    EXPECT_THROW(Tokenizer::from_gguf(v, "spm.gguf"), hy::Error);
    v = tiny_spm();
    v.token_types.pop_back();
    EXPECT_THROW(Tokenizer::from_gguf(v, "spm.gguf"), hy::Error);
}

std::vector<std::string> stream(const std::shared_ptr<const Tokenizer>& tk, const std::vector<int32_t>& ids,
                                bool skip) {
    StreamDecoder sd(tk, skip);
    std::vector<std::string> out;
    for (int32_t id : ids) out.push_back(sd.push(id));
    out.push_back(sd.flush());
    return out;
}

TEST(StreamDecoder, HoldsIncompleteByteLevelCharacters) {
    auto tk = Tokenizer::from_file(kDir + "fixtures/bytelevel.json");
    auto ids = tk->encode("hi \U0001F600!", false);  // the emoji is four byte tokens
    auto parts = stream(tk, ids, false);
    std::string all;
    for (const auto& p : parts) {
        EXPECT_EQ(utf8_valid_prefix(p), p.size());
        EXPECT_EQ(p.find("\ufffd"), std::string::npos);
        all += p;
    }
    EXPECT_EQ(all, tk->decode(ids, false));
    // Three of the emoji's four bytes give nothing; the fourth gives the whole character.
    int empty = 0;
    for (const auto& p : parts) empty += p.empty();
    EXPECT_GE(empty, 3);
}

TEST(StreamDecoder, ByteFallbackAndMetaspaceLeadingSpace) {
    auto tk = Tokenizer::from_file(kDir + "fixtures/metaspace_always_nosplit.json");
    auto ids = tk->encode("hello \u20ac", true);  // <s> ▁hello ▁ <0xE2> <0x82> <0xAC> </s>
    auto parts = stream(tk, ids, true);
    ASSERT_EQ(parts.size(), ids.size() + 1);
    EXPECT_EQ(parts[0], "");       // <s> skipped
    EXPECT_EQ(parts[1], "hello");  // the prepended space of the first word is dropped
    std::string rest;
    for (size_t i = 2; i < parts.size(); ++i) rest += parts[i];
    EXPECT_EQ(rest, " \u20ac");
    EXPECT_EQ(parts[parts.size() - 5], "");  // <0xE2> and <0x82> alone are incomplete
    EXPECT_EQ(parts[parts.size() - 4], "");
    EXPECT_EQ(parts[parts.size() - 3], "\u20ac");
    // An unfinished character at the end of the stream comes out as U+FFFD.
    StreamDecoder sd(tk, true);
    EXPECT_EQ(sd.push(tk->token_to_id("<0xE2>")), "");
    EXPECT_EQ(sd.flush(), "\ufffd");
}

TEST(Tokenizer, ConcurrentEncodeIsConsistent) {
    auto tk = Tokenizer::from_file(kDir + "trained_bpe_1024.json");
    std::string text(default_bpe_training_text().substr(0, 20000));
    auto want = tk->encode(text, true);
    std::vector<std::thread> threads;
    std::vector<int> ok(4, 0);
    for (int t = 0; t < 4; ++t) threads.emplace_back([&, t] { ok[t] = tk->encode(text, true) == want; });
    for (auto& th : threads) th.join();
    for (int t = 0; t < 4; ++t) EXPECT_TRUE(ok[t]);
    EXPECT_EQ(tk->decode(want, true), text);
    EXPECT_EQ(tk->bos_id(), -1);  // no tokenizer_config.json next to it
    EXPECT_EQ(want[0], tk->token_to_id("<s>"));
}

TEST(Tokenizer, TrainedFixtureMatchesTrainer) {
    // tests/data/tokenizer/trained_bpe_1024.json is this trainer's output; drift would show here.
    TrainedBpe t =
        train_byte_level_bpe(default_bpe_training_text(), 1024,
                             {"<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>", "<think>", "</think>"},
                             default_pretokenizer_regex());
    EXPECT_EQ(make_tokenizer_json(t, default_pretokenizer_regex(), {.bos_token = "<s>"}),
              read_json(kDir + "trained_bpe_1024.json"));
}

}  // namespace
}  // namespace hy::tok

namespace hy::tok {
namespace {

TEST(Robustness, RandomBytesAndIdsNeverCrash) {
    // Arbitrary bytes (invalid UTF-8 included) through every fixture, and arbitrary ids back.
    const char* names[] = {"bytelevel",    "metaspace_first", "spm_normalizer_unk",           "whitespace",
                           "split_invert", "prefix_suffix",   "bytelevel_split_ignore_merges"};
    uint32_t state = 12345;
    auto rnd = [&] { return state = state * 1664525u + 1013904223u; };
    for (const char* name : names) {
        auto tk = Tokenizer::from_file(kDir + "fixtures/" + name + ".json");
        for (int i = 0; i < 150; ++i) {
            std::string s(rnd() % 40, '\0');
            for (char& c : s) c = static_cast<char>(rnd() >> 24);
            auto ids = tk->encode(s, i % 2 == 0);
            std::string back = tk->decode(ids, i % 3 == 0);
            EXPECT_EQ(utf8_valid_prefix(back), back.size());
            std::vector<int32_t> junk;
            for (int k = 0; k < 12; ++k) junk.push_back(static_cast<int32_t>(rnd() % 700) - 100);
            std::string d = tk->decode(junk, false);
            EXPECT_EQ(utf8_valid_prefix(d), d.size());
            StreamDecoder sd(tk, false);
            std::string streamed;
            for (int32_t id : junk) streamed += sd.push(id);
            streamed += sd.flush();
            EXPECT_EQ(utf8_valid_prefix(streamed), streamed.size());
        }
    }
}

}  // namespace
}  // namespace hy::tok
