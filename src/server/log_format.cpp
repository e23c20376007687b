#include "server/log_format.h"

#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>

#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>

namespace hy::server {
namespace {

const char* python_level_name(spdlog::level::level_enum level) {
    switch (level) {
        case spdlog::level::trace:
        case spdlog::level::debug:
            return "DEBUG";
        case spdlog::level::info:
            return "INFO";
        case spdlog::level::warn:
            return "WARNING";
        case spdlog::level::err:
            return "ERROR";
        case spdlog::level::critical:
            return "CRITICAL";
        case spdlog::level::off:
        case spdlog::level::n_levels:
            break;
    }
    return "INFO";
}

class JsonlFormatter final : public spdlog::formatter {
  public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        const std::string_view file = msg.source.filename ? msg.source.filename : "";
        const std::string record = jsonl_log_record(msg.level, msg.time, file, msg.source.line,
                                                    std::string_view(msg.payload.data(), msg.payload.size()));
        dest.append(record.data(), record.data() + record.size());
        dest.push_back('\n');
    }
    std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonlFormatter>(); }
};

}  // namespace

std::string jsonl_log_record(spdlog::level::level_enum level, std::chrono::system_clock::time_point time,
                             std::string_view file, int line, std::string_view message) {
    const std::time_t t = std::chrono::system_clock::to_time_t(time);
    std::tm local{};
    localtime_r(&t, &local);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &local);
    if (const size_t slash = file.find_last_of('/'); slash != std::string_view::npos)
        file.remove_prefix(slash + 1);
    nlohmann::ordered_json j;
    j["level"] = python_level_name(level);
    j["time"] = stamp;
    j["file_name"] = std::string(file);
    j["line_number"] = line;
    j["message"] = std::string(message);
    // A message cut mid-character must not make the whole record unparseable.
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void configure_logging(const std::string& level, bool jsonl) {
    spdlog::set_level(spdlog::level::from_str(level == "warning" ? "warn" : level));
    if (jsonl) spdlog::set_formatter(std::make_unique<JsonlFormatter>());
}

}  // namespace hy::server
