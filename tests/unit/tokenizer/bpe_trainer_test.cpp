#include "tokenizer/bpe_trainer.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace hy::tok {
namespace {

TEST(BpeTrainer, TinyTextMergesMostFrequentPairFirst) {
    // Words "ab", " ab" x2, " bc" x2: (a, b) occurs 3 times, every other pair twice.
    TrainedBpe t =
        train_byte_level_bpe("ab ab ab bc bc", 256 + 2 + 1, {"<s>", "</s>"}, default_pretokenizer_regex());
    ASSERT_EQ(t.tokens.size(), 259u);
    EXPECT_EQ(t.tokens[0], "<s>");
    EXPECT_EQ(t.tokens[1], "</s>");
    EXPECT_EQ(t.tokens[2 + ' '], "\xC4\xA0");  // byte 0x20 -> U+0120 'Ġ'
    ASSERT_EQ(t.merges.size(), 1u);
    EXPECT_EQ(t.merges[0], (std::pair<std::string, std::string>{"a", "b"}));
    EXPECT_EQ(t.tokens.back(), "ab");
}

TEST(BpeTrainer, TiesBrokenLexicographically) {
    TrainedBpe t = train_byte_level_bpe("xy ab", 256 + 1, {}, "\\S+");
    ASSERT_EQ(t.merges.size(), 1u);
    EXPECT_EQ(t.merges[0].first, "a");
    EXPECT_EQ(t.merges[0].second, "b");
}

TEST(BpeTrainer, DefaultTextIsEmbeddedAndTrainsDeterministically) {
    std::string_view text = default_bpe_training_text();
    ASSERT_GT(text.size(), 20000u);
    TrainedBpe a = train_byte_level_bpe(text, 4096, {"<unk>", "<s>", "</s>"}, default_pretokenizer_regex());
    EXPECT_EQ(a.tokens.size(), 4096u);
    TrainedBpe b = train_byte_level_bpe(text, 4096, {"<unk>", "<s>", "</s>"}, default_pretokenizer_regex());
    EXPECT_EQ(a.tokens, b.tokens);
    EXPECT_EQ(a.merges, b.merges);
}

TEST(BpeTrainer, RejectsTooSmallVocabAndBadRegex) {
    EXPECT_THROW(train_byte_level_bpe("abc", 100, {}, "\\S+"), hy::Error);
    EXPECT_THROW(train_byte_level_bpe("abc", 300, {}, "(unclosed"), hy::Error);
}

TEST(BpeTrainer, TokenizerJsonHasTheDeclaredPipeline) {
    TrainedBpe t = train_byte_level_bpe("hello hello world", 256 + 2 + 4, {"<s>", "</s>"}, "\\S+|\\s+");
    nlohmann::json j = make_tokenizer_json(t, "\\S+|\\s+", {.bos_token = "<s>"});
    EXPECT_EQ(j["model"]["type"], "BPE");
    EXPECT_EQ(j["model"]["vocab"].size(), t.tokens.size());
    EXPECT_EQ(j["model"]["merges"].size(), t.merges.size());
    EXPECT_EQ(j["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"], "\\S+|\\s+");
    EXPECT_EQ(j["added_tokens"][1]["content"], "</s>");
    EXPECT_EQ(j["added_tokens"][1]["special"], true);
    EXPECT_EQ(j["post_processor"]["type"], "TemplateProcessing");
}

}  // namespace
}  // namespace hy::tok
