// Helpers for tests that write small generated models to a temporary directory.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "model/test_model.h"

namespace hy::testing_util {

// A fresh directory under the GoogleTest temp dir, removed by the destructor.
struct TempDir {
    std::filesystem::path path;
    explicit TempDir(const std::string& tag) {
        path = std::filesystem::path(::testing::TempDir()) /
               ("hy_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    std::string str(const std::string& child = {}) const {
        return child.empty() ? path.string() : (path / child).string();
    }
    static int& counter() {
        static int n = 0;
        return n;
    }
};

// A placeholder tokenizer (the model module does not train one): tokens "t0".."tN-1".
inline TestModelTokenizer dummy_tokenizer(int64_t vocab) {
    TestModelTokenizer t;
    for (int64_t i = 0; i < vocab; ++i) {
        t.tokens.push_back("t" + std::to_string(i));
        t.token_types.push_back(i < 3 ? 3 : 1);
    }
    t.tokenizer_json = "{}";
    t.tokenizer_config_json = "{}";
    t.generation_config_json = "{}";
    return t;
}

}  // namespace hy::testing_util
