// Each subcommand lives in its own cmd_<name>.cpp and registers itself on the root app.
// The callback runs the command; errors are thrown as hy::Error and reported by main().
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace hy::cli {

// The embedded default model, used by every command whose --model is not given.
std::string default_model_path();

void register_version(CLI::App& app);

}  // namespace hy::cli
