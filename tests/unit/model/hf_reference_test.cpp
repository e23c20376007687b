#include "model/hf_reference.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "core/error.h"

namespace hy {
namespace {

namespace fs = std::filesystem;

// A hub cache laid out as huggingface_hub writes it: refs/main names the commit whose snapshot holds
// the files; a tag points at an older snapshot.
class HfCache : public ::testing::Test {
  protected:
    void SetUp() override {
        hub_ = fs::temp_directory_path() / ("hy_hf_cache_" + std::to_string(::getpid()));
        const fs::path repo = hub_ / "models--nvidia--Tiny-Nemotron";
        for (const char* commit : {"c0ffee", "beef01"}) {
            fs::create_directories(repo / "snapshots" / commit);
            std::ofstream(repo / "snapshots" / commit / "config.json") << "{}";
        }
        fs::create_directories(repo / "refs");
        std::ofstream(repo / "refs" / "main") << "c0ffee";  // no newline, as huggingface_hub writes it
        std::ofstream(repo / "refs" / "v1") << "beef01\n";
        vars_["HF_HUB_CACHE"] = hub_.string();
    }
    void TearDown() override { fs::remove_all(hub_); }
    EnvGetter env() const {
        return [this](const char* k) -> const char* {
            auto it = vars_.find(k);
            return it == vars_.end() ? nullptr : it->second.c_str();
        };
    }
    std::string snapshot(const char* commit) const {
        return (hub_ / "models--nvidia--Tiny-Nemotron" / "snapshots" / commit).string();
    }

    fs::path hub_;
    std::map<std::string, std::string> vars_;
};

TEST_F(HfCache, RepoIdsAndHfUrlsResolveToTheirSnapshot) {
    EXPECT_EQ(resolve_model_reference("nvidia/Tiny-Nemotron", "", "", env()), snapshot("c0ffee"));
    EXPECT_EQ(resolve_model_reference("hf://nvidia/Tiny-Nemotron", "", "", env()), snapshot("c0ffee"));
    EXPECT_EQ(resolve_model_reference("nvidia/Tiny-Nemotron", "v1", "", env()), snapshot("beef01"));
    EXPECT_EQ(resolve_model_reference("nvidia/Tiny-Nemotron", "beef01", "", env()), snapshot("beef01"));
    EXPECT_EQ(served_name_of_reference("hf://nvidia/Tiny-Nemotron"), "nvidia/Tiny-Nemotron");
    EXPECT_EQ(served_name_of_reference("/models/x"), "/models/x");
}

TEST_F(HfCache, LocalPathsAreKeptAndMissingModelsSayHowToFetchThem) {
    EXPECT_EQ(resolve_model_reference(hub_.string(), "", "", env()), hub_.string());  // exists: as is
    EXPECT_EQ(resolve_model_reference("/no/such/model.gguf", "", "", env()), "/no/such/model.gguf");
    try {
        resolve_model_reference("nvidia/Other", "", "", env());
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("huggingface-cli download nvidia/Other"), std::string::npos)
            << e.what();
    }
    EXPECT_THROW(resolve_model_reference("nvidia/Tiny-Nemotron", "v9", "", env()), Error);
    EXPECT_THROW(resolve_model_reference("ngc://nim/nvidia/x:1", "", "", env()), Error);
    EXPECT_THROW(resolve_model_reference("hf://not-a-repo-id", "", "", env()), Error);
}

TEST_F(HfCache, CacheDirectoryFollowsHuggingFaceHubPrecedence) {
    std::map<std::string, std::string> v;
    auto get = [&v](const char* k) -> const char* {
        auto it = v.find(k);
        return it == v.end() ? nullptr : it->second.c_str();
    };
    v["HOME"] = "/home/u";
    EXPECT_EQ(hf_hub_cache_dir("", get), "/home/u/.cache/huggingface/hub");
    v["XDG_CACHE_HOME"] = "/xdg";
    EXPECT_EQ(hf_hub_cache_dir("", get), "/xdg/huggingface/hub");
    v["HF_HOME"] = "/hf";
    EXPECT_EQ(hf_hub_cache_dir("", get), "/hf/hub");
    v["HF_HUB_CACHE"] = "/hub";
    EXPECT_EQ(hf_hub_cache_dir("", get), "/hub");
    EXPECT_EQ(hf_hub_cache_dir("/downloads", get), "/downloads");  // vLLM's --download-dir
}

}  // namespace
}  // namespace hy
