// NIM_JSONL_LOGGING's records (src/server/log_format.h): NIM's five fields in NIM's order, Python's
// level names, the source file's base name, and a message that stays one valid JSON line whatever it
// holds.
#include "server/log_format.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace hy::server {
namespace {

using nlohmann::ordered_json;

ordered_json record(spdlog::level::level_enum level, std::string_view file, int line,
                    std::string_view message) {
    const std::string r = jsonl_log_record(level, std::chrono::system_clock::now(), file, line, message);
    EXPECT_EQ(r.find('\n'), std::string::npos) << r;
    return ordered_json::parse(r);
}

TEST(JsonlLogRecord, HasNimsFieldsInNimsOrder) {
    const ordered_json j = record(spdlog::level::info, "/work/src/server/http_server.cpp", 342, "ready");
    std::vector<std::string> keys;
    for (const auto& [k, v] : j.items()) keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{"level", "time", "file_name", "line_number", "message"}));
    EXPECT_EQ(j["level"], "INFO");
    EXPECT_EQ(j["file_name"], "http_server.cpp");
    EXPECT_EQ(j["line_number"], 342);
    EXPECT_EQ(j["message"], "ready");
    // "2026-03-03 12:00:10": date and time to the second, as in NIM's example record.
    const std::string time = j["time"];
    ASSERT_EQ(time.size(), 19u) << time;
    EXPECT_EQ(time[4], '-');
    EXPECT_EQ(time[10], ' ');
    EXPECT_EQ(time[13], ':');
}

TEST(JsonlLogRecord, NamesLevelsAsPythonLoggingDoes) {
    EXPECT_EQ(record(spdlog::level::debug, "a.cpp", 1, "")["level"], "DEBUG");
    EXPECT_EQ(record(spdlog::level::warn, "a.cpp", 1, "")["level"], "WARNING");
    EXPECT_EQ(record(spdlog::level::err, "a.cpp", 1, "")["level"], "ERROR");
    EXPECT_EQ(record(spdlog::level::critical, "a.cpp", 1, "")["level"], "CRITICAL");
}

TEST(JsonlLogRecord, KeepsAnyMessageOnOneValidLine) {
    const std::string text = "POST /v1/x -> 400 {\"error\":\"bad\"}\nsecond line\t\x01 caf\xc3\xa9";
    EXPECT_EQ(record(spdlog::level::info, "a.cpp", 1, text)["message"], text);
    // A body cut mid-character (the request log keeps 200 bytes) becomes U+FFFD, not an invalid record.
    EXPECT_EQ(record(spdlog::level::info, "a.cpp", 1, "caf\xc3")["message"], "caf\xef\xbf\xbd");
}

TEST(JsonlLogRecord, WithoutASourceLocationTheFileIsEmpty) {
    const ordered_json j = record(spdlog::level::info, "", 0, "x");
    EXPECT_EQ(j["file_name"], "");
    EXPECT_EQ(j["line_number"], 0);
}

}  // namespace
}  // namespace hy::server
