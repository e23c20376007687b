// One error type for everything a client or a file can get wrong (spec/architecture.md "Errors").
// Parsers of untrusted input throw hy::Error; boundaries (CLI main, HTTP handlers) catch it and
// format it in their own envelope. Internal invariants use HY_ASSERT, which stays on in release.
#pragma once

#include <stdexcept>
#include <string>

namespace hy {

struct Error : std::runtime_error {
    int http_status = 400;           // what an HTTP boundary should answer
    std::string type = "invalid_request_error";  // OpenAI-style error type
    std::string param;               // offending request field, if any

    explicit Error(const std::string& message, int status = 400, std::string error_type = "invalid_request_error",
                   std::string param_name = {})
        : std::runtime_error(message), http_status(status), type(std::move(error_type)), param(std::move(param_name)) {}
};

// A model/tokenizer/template file that cannot be used. The message names the file and the key/tensor.
inline Error file_error(const std::string& path, const std::string& what) {
    return Error(path + ": " + what, 500, "model_file_error");
}

[[noreturn]] void assertion_failed(const char* expr, const char* file, int line);

}  // namespace hy

#define HY_ASSERT(cond) ((cond) ? (void)0 : ::hy::assertion_failed(#cond, __FILE__, __LINE__))
