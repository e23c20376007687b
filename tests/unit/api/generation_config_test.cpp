#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "api/serving_context.h"
#include "core/error.h"

namespace hy::api {
namespace {

std::filesystem::path write_dir(const std::string& name, const std::string& text) {
    auto dir = std::filesystem::temp_directory_path() / ("hyserve-gencfg-" + name);
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "generation_config.json") << text;
    return dir;
}

TEST(GenerationConfig, ReadsSamplingDefaultsAndEos) {
    auto dir = write_dir("ok", R"({"temperature": 0.6, "top_p": 0.95, "top_k": 20, "max_new_tokens": 64,
                                   "eos_token_id": [2, 11], "unrelated": "x"})");
    GenerationDefaults d = load_generation_config(dir.string());
    EXPECT_EQ(d.temperature, 0.6);
    EXPECT_EQ(d.top_p, 0.95);
    EXPECT_EQ(d.top_k, 20);
    EXPECT_EQ(d.max_new_tokens, 64);
    EXPECT_FALSE(d.min_p);
    EXPECT_EQ(d.eos_token_ids, (std::vector<int32_t>{2, 11}));
    std::filesystem::remove_all(dir);
}

TEST(GenerationConfig, MissingFileMeansNoDefaults) {
    GenerationDefaults d = load_generation_config("/nonexistent/dir");
    EXPECT_FALSE(d.temperature);
    EXPECT_TRUE(d.eos_token_ids.empty());
}

TEST(GenerationConfig, BrokenFileNamesTheFile) {
    auto dir = write_dir("bad", R"({"temperature": "hot"})");
    try {
        load_generation_config(dir.string());
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("generation_config.json"), std::string::npos);
    }
    std::ofstream(dir / "generation_config.json") << "{not json";
    EXPECT_THROW(load_generation_config(dir.string()), Error);
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hy::api
