// The Responses store: what is put is read back, survives closing and reopening the file (a server
// restart), is gone after remove, and the path follows NIM_CACHE_PATH.
#include "store/response_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"

namespace hy::store {
namespace {

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        path = std::filesystem::temp_directory_path() /
               ("hy_store_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(path);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

TEST(ResponseStore, PutGetRemove) {
    TempDir tmp;
    ResponseStore s((tmp.path / "sub" / "r.sqlite3").string());  // the directory is created
    EXPECT_FALSE(s.get("resp_1"));
    s.put({"resp_1", 17, R"({"id":"resp_1"})", R"([{"role":"user","content":"hi"}])"});
    auto r = s.get("resp_1");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->created_at, 17);
    EXPECT_EQ(r->response_json, R"({"id":"resp_1"})");
    EXPECT_EQ(r->conversation_json, R"([{"role":"user","content":"hi"}])");
    s.put({"resp_1", 18, "{}", "[]"});  // replace
    EXPECT_EQ(s.get("resp_1")->response_json, "{}");
    EXPECT_TRUE(s.remove("resp_1"));
    EXPECT_FALSE(s.remove("resp_1"));
    EXPECT_FALSE(s.get("resp_1"));
}

TEST(ResponseStore, SurvivesReopenAndKeepsBytes) {
    TempDir tmp;
    const std::string path = (tmp.path / "r.sqlite3").string();
    static const char kOdd[] = "nul\0byte \xc3\xa9 ";
    const std::string odd = std::string(kOdd, sizeof kOdd - 1) + std::string(100000, 'x');
    {
        ResponseStore s(path);
        for (int i = 0; i < 20; ++i) s.put({"resp_" + std::to_string(i), i, odd, "[]"});
        s.remove("resp_3");
    }
    ResponseStore again(path);
    for (int i = 0; i < 20; ++i) {
        auto r = again.get("resp_" + std::to_string(i));
        if (i == 3) {
            EXPECT_FALSE(r);
            continue;
        }
        ASSERT_TRUE(r) << i;
        EXPECT_EQ(r->created_at, i);
        EXPECT_EQ(r->response_json, odd);
    }
}

TEST(ResponseStore, UsesWalMode) {
    TempDir tmp;
    const auto path = tmp.path / "r.sqlite3";
    ResponseStore s(path.string());
    s.put({"a", 1, "{}", "[]"});
    // WAL mode keeps a -wal file beside the database while a connection is open.
    EXPECT_TRUE(std::filesystem::exists(path.string() + "-wal"));
}

TEST(ResponseStore, ConcurrentWriters) {
    TempDir tmp;
    ResponseStore s((tmp.path / "r.sqlite3").string());
    std::vector<std::thread> ts;
    for (int t = 0; t < 4; ++t)
        ts.emplace_back([&s, t] {
            for (int i = 0; i < 25; ++i) s.put({std::to_string(t) + "_" + std::to_string(i), i, "{}", "[]"});
        });
    for (auto& t : ts) t.join();
    for (int t = 0; t < 4; ++t)
        for (int i = 0; i < 25; ++i) EXPECT_TRUE(s.get(std::to_string(t) + "_" + std::to_string(i)));
}

TEST(ResponseStore, UnopenablePathIsAnError) {
    TempDir tmp;
    std::filesystem::create_directories(tmp.path / "dir.sqlite3");  // a directory, not a file
    EXPECT_THROW(ResponseStore((tmp.path / "dir.sqlite3").string()), Error);
}

TEST(ResponseStore, PathFromEnvironment) {
    std::map<std::string, std::string> env = {{"HOME", "/home/u"}};
    auto look = [&](const char* k) -> const char* {
        auto it = env.find(k);
        return it == env.end() ? nullptr : it->second.c_str();
    };
    EXPECT_EQ(default_store_path(look), "/home/u/.cache/hyserve/responses.sqlite3");
    env["NIM_CACHE_PATH"] = "/opt/nim/.cache";
    EXPECT_EQ(default_store_path(look), "/opt/nim/.cache/responses.sqlite3");
}

}  // namespace
}  // namespace hy::store
