// The server's log output: spdlog's text lines, or with NIM_JSONL_LOGGING one JSON object per line in
// NIM's schema (NIM LLM docs, "Logging and Observability"), for collectors such as Fluentd or Logstash:
//   {"level":"INFO","time":"2026-03-03 12:00:10","file_name":"http_server.cpp","line_number":42,
//    "message":"listening on http://0.0.0.0:8000"}
#pragma once

#include <spdlog/common.h>

#include <chrono>
#include <string>
#include <string_view>

namespace hy::server {

// One JSONL record without its newline. `level` is named as Python's logging names it (DEBUG, INFO,
// WARNING, ERROR, CRITICAL); `time` is local time to the second; `file` is reduced to its base name.
std::string jsonl_log_record(spdlog::level::level_enum level, std::chrono::system_clock::time_point time,
                             std::string_view file, int line, std::string_view message);

// Sets the default logger's level ("debug", "info", "warning", "error", "critical") and format.
void configure_logging(const std::string& level, bool jsonl);

}  // namespace hy::server
