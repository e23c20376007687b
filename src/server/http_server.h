// The HTTP listener (cpp-httplib): routing, auth, body limits, SSE/streamed bodies with disconnect
// detection, health on an optional second port. The model is loaded after the listener is up, so
// /v1/health/live answers at once and /v1/health/ready turns 200 when loading is done.
#pragma once

#include <functional>
#include <memory>

#include "api/serving_context.h"
#include "chat/chat_template.h"
#include "model/model_weights.h"
#include "server/server_config.h"
#include "tokenizer/tokenizer.h"

namespace hy::server {

// What the CLI's loader hands over (cli/ owns the file-format glue).
struct LoadedModel {
    ModelWeights weights;
    std::shared_ptr<const tok::Tokenizer> tokenizer;
    std::shared_ptr<const chat::ChatTemplate> chat_template;  // may be null
    api::GenerationDefaults defaults;
};

using ModelLoader = std::function<std::unique_ptr<LoadedModel>(const ServerConfig&)>;

// Runs until SIGINT/SIGTERM; returns the process exit code.
int run_server(const ServerConfig& config, const ModelLoader& loader);

}  // namespace hy::server
