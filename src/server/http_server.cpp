#include "server/http_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <optional>
#include <thread>

#include "api/anthropic_errors.h"
#include "api/anthropic_handlers.h"
#include "api/conversation.h"
#include "api/metrics_endpoint.h"
#include "api/nim_endpoints.h"
#include "api/openai_format.h"
#include "api/openai_handlers.h"
#include "api/responses_handlers.h"
#include "api/tokenize_endpoints.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "engine/engine.h"
#include "engine/scheduler.h"
#include "model/hf_reference.h"
#include "server/buffered_response.h"
#include "server/connection_probe.h"
#include "server/context_length.h"
#include "server/cors.h"
#include "server/http_metrics.h"
#include "server/listen_backlog.h"
#include "server/log_format.h"
#include "server/sink_writer.h"
#include "server/tls.h"
#include "store/response_store.h"

namespace hy::server {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kWriteTimeout{30000};  // httplib's, and SinkWriter's own sends

std::atomic<httplib::Server*> g_servers[2];
std::atomic<bool> g_stopping{false};          // SIGINT/SIGTERM: in-flight generations end
std::atomic<bool> g_raw_socket_writes{true};  // false under TLS: streamed chunks go through httplib's sink
HttpMetrics g_http_metrics;                   // http_* families of GET /metrics (both ports)
// httplib handles a request on one thread from routing to the logger, so its start time can live here.
thread_local std::optional<Clock::time_point> t_request_start;

void on_signal(int) {
    g_stopping = true;
    for (auto& s : g_servers)
        if (httplib::Server* p = s.load()) p->stop();
}

void send(httplib::Response& res, const api::ApiResponse& r) {
    res.status = r.status;
    res.set_content(r.body, r.content_type);
}

// The Anthropic paths answer every error in the Anthropic envelope (spec/api.md §6.5, issue 7).
bool is_anthropic_path(const std::string& p) {
    return p.rfind("/v1/messages", 0) == 0;
}
void send_error(const httplib::Request& req, httplib::Response& res, const Error& e) {
    send(res, is_anthropic_path(req.path) ? api::anthropic_error_response(e) : api::error_response(e));
}

void send_api(const httplib::Request& req, httplib::Response& res, api::ApiResponse r) {
    if (!r.producer) return send(res, r);
    if (r.content_type != "text/event-stream") {
        // Non-streaming: the status is known only after generation (buffered_response.h).
        const ConnectionProbe probe(req.remote_addr, req.remote_port, req.local_addr, req.local_port);
        BufferedBody b = run_buffered(r.producer, [&probe] { return g_stopping || probe.peer_closed(); });
        res.status = b.status;
        res.set_content(std::move(b.body), r.content_type);
        return;
    }
    res.status = r.status;
    auto producer = std::make_shared<std::function<void(api::BodyWriter&)>>(std::move(r.producer));
    const bool sse = r.content_type == "text/event-stream";
    if (sse) res.set_header("Cache-Control", "no-cache");
    // The connection's socket, for writes that must not block (sink_writer.h); looked up on the
    // connection's own thread, where the provider runs.
    res.set_chunked_content_provider(
        r.content_type, [producer, sse, raddr = req.remote_addr, rport = req.remote_port,
                         laddr = req.local_addr, lport = req.local_port](size_t, httplib::DataSink& sink) {
            const ConnectionProbe probe(raddr, rport, laddr, lport);
            SinkWriter w(sink.write, g_raw_socket_writes ? probe.fd() : -1, sse, kWriteTimeout, &g_stopping);
            try {
                (*producer)(w);
            } catch (const std::exception& e) {
                SPDLOG_ERROR("response producer failed: {}", e.what());
            }
            w.flush();  // before httplib's closing chunk
            sink.done();
            return true;
        });
}

struct Routes {
    const ServerConfig& cfg;
    std::atomic<bool>& ready;
    std::atomic<api::ServingContext*>& ctx;
    store::ResponseStore* responses_store = nullptr;  // null: the Responses store is off
};

bool is_health_path(const std::string& p) {
    return p == "/v1/health/live" || p == "/v1/health/ready" || p == "/health";
}

void add_health_routes(httplib::Server& s, Routes r) {
    s.Get("/v1/health/live",
          [](const httplib::Request&, httplib::Response& res) { send(res, api::health_live()); });
    s.Get("/v1/health/ready", [r](const httplib::Request&, httplib::Response& res) {
        api::ServingContext* c = r.ctx.load();
        send(res, api::health_ready(r.ready && c && c->engine->alive()));
    });
    s.Get("/health", [r](const httplib::Request&, httplib::Response& res) {
        api::ServingContext* c = r.ctx.load();
        res.status = r.ready && c && c->engine->alive() ? 200 : 503;
    });
}

// Method check for known paths: 405 instead of httplib's 404 (FastAPI behaviour).
const std::vector<std::pair<std::string, std::string>>& known_paths() {
    static const std::vector<std::pair<std::string, std::string>> p = {{"/v1/chat/completions", "POST"},
                                                                       {"/v1/completions", "POST"},
                                                                       {"/v1/models", "GET"},
                                                                       {"/v1/messages", "POST"},
                                                                       {"/v1/messages/count_tokens", "POST"},
                                                                       {"/v1/responses", "POST"},
                                                                       {"/tokenize", "POST"},
                                                                       {"/detokenize", "POST"},
                                                                       {"/v1/health/live", "GET"},
                                                                       {"/v1/health/ready", "GET"},
                                                                       {"/health", "GET"},
                                                                       {"/v1/version", "GET"},
                                                                       {"/version", "GET"},
                                                                       {"/v1/metadata", "GET"},
                                                                       {"/v1/license", "GET"},
                                                                       {"/v1/manifest", "GET"},
                                                                       {"/metrics", "GET"},
                                                                       {"/v1/metrics", "GET"}};
    return p;
}

// Connections the kernel queues before httplib's accept loop takes them (listen_backlog.h).
constexpr int kListenBacklog = 1024;

void install_common(httplib::Server& s, const ServerConfig& cfg) {
    s.new_task_queue = [] { return new httplib::ThreadPool(256); };
    s.set_payload_max_length(cfg.max_body_bytes);
    // Streamed tokens are small writes; with Nagle on, each waits for the peer's delayed ACK (~40 ms),
    // which bunches SSE chunks and inflates TTFT and inter-token latency.
    s.set_tcp_nodelay(true);
    s.set_read_timeout(30, 0);
    s.set_write_timeout(std::chrono::duration_cast<std::chrono::seconds>(kWriteTimeout).count(), 0);
    s.set_keep_alive_timeout(30);
    s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return;
        if (res.status == 413)
            return send_error(req, res, Error("Request body too large", 413, "RequestEntityTooLarge"));
        if (res.status == 404)
            return send_error(req, res, Error("Not Found: " + req.path, 404, "NotFoundError"));
        if (res.status == 400) return send_error(req, res, Error("Bad Request", 400, "BadRequestError"));
    });
    // Generation requests log their own line (api/); rejected requests are logged here.
    s.set_logger([](const httplib::Request& req, const httplib::Response& res) {
        const double secs =
            t_request_start ? std::chrono::duration<double>(Clock::now() - *t_request_start).count() : -1.0;
        t_request_start.reset();
        g_http_metrics.record(req.path, req.method, res.status, secs);
        if (res.status >= 400)
            SPDLOG_INFO("{} {} -> {} {}", req.method, req.path, res.status, res.body.substr(0, 200));
    });
    s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        send(res, api::error_response(ep));
    });
}

void add_api_routes(httplib::Server& s, Routes r) {
    const ServerConfig& cfg = r.cfg;
    s.set_pre_routing_handler([&cfg](const httplib::Request& req, httplib::Response& res) {
        t_request_start = Clock::now();
        const HeaderLookup header = [&req](const char* name) -> std::optional<std::string> {
            if (!req.has_header(name)) return std::nullopt;
            return req.get_header_value(name);
        };
        // CORS first: a browser's preflight carries no API key and may name any path.
        if (auto preflight = cors_preflight(cfg.cors, req.method, header)) {
            res.status = preflight->status;
            for (const auto& [k, v] : preflight->headers) res.set_header(k, v);
            res.set_content(preflight->body, "text/plain; charset=utf-8");
            return httplib::Server::HandlerResponse::Handled;
        }
        for (const auto& [k, v] : cors_response_headers(cfg.cors, header)) res.set_header(k, v);
        if (cfg.enable_request_id_headers) {
            const std::string id = header("X-Request-Id").value_or("");
            res.set_header("X-Request-Id", id.empty() ? api::random_hex(32) : id);
        }
        for (const auto& [path, method] : known_paths()) {
            if (req.path != path) continue;
            if (req.method == method || (method == "GET" && req.method == "HEAD")) break;
            if (req.method == "OPTIONS") {
                res.status = 204;
                res.set_header("Allow", method);
                return httplib::Server::HandlerResponse::Handled;
            }
            send_error(req, res, Error("Method Not Allowed", 405, "MethodNotAllowed"));
            return httplib::Server::HandlerResponse::Handled;
        }
        // vLLM --api-key: only /v1 paths, never OPTIONS; health stays open for probes.
        if (!cfg.api_key.empty() && req.path.rfind("/v1", 0) == 0 && req.method != "OPTIONS" &&
            !is_health_path(req.path)) {
            std::string auth = req.get_header_value("Authorization");
            // Anthropic clients send x-api-key (vLLM accepts only Bearer; spec §1 recommends both).
            const bool anthropic = is_anthropic_path(req.path);
            if (anthropic && auth != "Bearer " + cfg.api_key) {
                if (req.get_header_value("x-api-key") != cfg.api_key) {
                    send_error(req, res, Error("invalid x-api-key", 401));
                    return httplib::Server::HandlerResponse::Handled;
                }
            } else if (auth != "Bearer " + cfg.api_key) {
                res.status = 401;
                res.set_content(R"({"error":"Unauthorized"})", "application/json");
                return httplib::Server::HandlerResponse::Handled;
            }
        }
        return httplib::Server::HandlerResponse::Unhandled;
    });
    add_health_routes(s, r);
    auto need_ctx = [r](const httplib::Request& req, httplib::Response& res) -> api::ServingContext* {
        api::ServingContext* c = r.ctx.load();
        if (!r.ready || !c) {
            send_error(req, res,
                       Error("The model is not ready yet (loading)", 503, "ServiceUnavailableError"));
            return nullptr;
        }
        if (!c->engine->alive()) {
            send_error(req, res, Error("The engine has failed", 500, "InternalServerError"));
            return nullptr;
        }
        return c;
    };
    using Handler = std::function<api::ApiResponse(api::ServingContext&, const std::string&)>;
    auto post = [&](const char* path, Handler handler) {
        s.Post(path, [need_ctx, handler](const httplib::Request& req, httplib::Response& res) {
            const std::string ct = req.get_header_value("Content-Type");
            if (ct.find("application/json") == std::string::npos)
                return send_error(req, res,
                                  Error("Unsupported Media Type: Only 'application/json' is allowed", 400,
                                        "BadRequestError"));
            api::ServingContext* c = need_ctx(req, res);
            if (!c) return;
            send_api(req, res, handler(*c, req.body));
        });
    };
    post("/v1/chat/completions", &api::handle_chat_completions);
    post("/v1/completions", &api::handle_completions);
    post("/v1/messages", &api::handle_messages);
    post("/v1/messages/count_tokens", &api::handle_count_tokens);
    // vLLM's token utilities, at its paths (outside /v1, so --api-key does not cover them, as in vLLM).
    post("/tokenize", &api::handle_tokenize);
    post("/detokenize", &api::handle_detokenize);
    store::ResponseStore* store = r.responses_store;
    post("/v1/responses", [store](api::ServingContext& c, const std::string& body) {
        return api::handle_responses(c, store, body);
    });
    // Stored responses (§5.4) need only the store, not the model.
    s.Get(R"(/v1/responses/([^/]+))", [store](const httplib::Request& req, httplib::Response& res) {
        send(res, api::handle_get_response(store, req.matches[1]));
    });
    s.Delete(R"(/v1/responses/([^/]+))", [store](const httplib::Request& req, httplib::Response& res) {
        send(res, api::handle_delete_response(store, req.matches[1]));
    });
    s.Post(R"(/v1/responses/([^/]+)/cancel)", [store](const httplib::Request& req, httplib::Response& res) {
        send(res, api::handle_cancel_response(store, req.matches[1]));
    });
    s.Get("/v1/models", [need_ctx](const httplib::Request& req, httplib::Response& res) {
        if (api::ServingContext* c = need_ctx(req, res)) send(res, api::handle_models(*c));
    });
    s.Get("/v1/version",
          [](const httplib::Request&, httplib::Response& res) { send(res, api::version_v1()); });
    s.Get("/version",
          [](const httplib::Request&, httplib::Response& res) { send(res, api::version_vllm()); });
    // Prometheus (spec/api.md §7): vLLM serves /metrics, NIM /v1/metrics; same body.
    for (const char* path : {"/metrics", "/v1/metrics"})
        s.Get(path, [need_ctx](const httplib::Request& req, httplib::Response& res) {
            if (api::ServingContext* c = need_ctx(req, res))
                send(res, api::handle_metrics(*c, g_http_metrics.render()));
        });
    s.Get("/v1/metadata", [r](const httplib::Request&, httplib::Response& res) {
        api::ServingContext* c = r.ctx.load();
        send(res, api::metadata(c));
    });
    s.Get("/v1/license",
          [r](const httplib::Request&, httplib::Response& res) { send(res, api::license(r.ctx.load())); });
    s.Get("/v1/manifest",
          [r](const httplib::Request&, httplib::Response& res) { send(res, api::manifest(r.ctx.load())); });
}

}  // namespace

int run_server(const ServerConfig& cfg, const ModelLoader& loader) {
    configure_logging(cfg.log_level, cfg.jsonl_logging);
    for (const auto& n : cfg.notes) SPDLOG_WARN("{}", n);
    std::signal(SIGPIPE, SIG_IGN);

    std::atomic<bool> ready{false};
    std::atomic<api::ServingContext*> ctx_ptr{nullptr};
    // The Responses store opens before the port does: a store that cannot open stops startup.
    std::unique_ptr<store::ResponseStore> responses_store;
    if (cfg.enable_responses_store) {
        try {
            responses_store = std::make_unique<store::ResponseStore>(
                store::default_store_path([](const char* k) { return std::getenv(k); }));
            SPDLOG_INFO("responses store: {}", responses_store->path());
        } catch (const std::exception& e) {
            SPDLOG_CRITICAL("{}", e.what());
            return 1;
        }
    }
    Routes routes{cfg, ready, ctx_ptr, responses_store.get()};

    std::unique_ptr<httplib::Server> api_server_ptr, health_server;
    try {
        api_server_ptr = make_http_server(cfg.tls);
        if (cfg.health_port && *cfg.health_port != cfg.port) health_server = make_http_server(cfg.tls);
    } catch (const std::exception& e) {
        SPDLOG_CRITICAL("{}", e.what());
        return 1;
    }
    // Under TLS every byte must go through the TLS stream: no writes on the raw socket (sink_writer.h).
    g_raw_socket_writes = !cfg.tls.enabled();
    httplib::Server& api_server = *api_server_ptr;
    install_common(api_server, cfg);
    add_api_routes(api_server, routes);
    const ListenBacklog api_backlog(api_server);
    if (!api_server.bind_to_port(cfg.host.c_str(), cfg.port)) {
        SPDLOG_CRITICAL("cannot listen on {}:{}", cfg.host, cfg.port);
        return 1;
    }
    if (!api_backlog.raise(kListenBacklog))
        SPDLOG_WARN("could not raise the listen backlog of port {}", cfg.port);
    if (health_server) {
        install_common(*health_server, cfg);
        add_health_routes(*health_server, routes);
        const ListenBacklog health_backlog(*health_server);
        if (!health_server->bind_to_port(cfg.host.c_str(), *cfg.health_port)) {
            SPDLOG_CRITICAL("cannot listen on {}:{} (NIM_HEALTH_PORT)", cfg.host, *cfg.health_port);
            return 1;
        }
        if (!health_backlog.raise(kListenBacklog))
            SPDLOG_WARN("could not raise the listen backlog of port {}", *cfg.health_port);
    }
    g_servers[0] = &api_server;
    g_servers[1] = health_server.get();
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::thread api_thread([&] { api_server.listen_after_bind(); });
    std::thread health_thread;
    if (health_server) health_thread = std::thread([&] { health_server->listen_after_bind(); });
    while (!api_server.is_running() || (health_server && !health_server->is_running()))
        std::this_thread::sleep_for(std::chrono::milliseconds(1));  // stop() only works once listening
    SPDLOG_INFO("listening on {}://{}:{}{}", cfg.tls.enabled() ? "https" : "http", cfg.host, cfg.port,
                health_server ? " (health also on port " + std::to_string(*cfg.health_port) + ")" : "");

    int rc = 0;
    std::unique_ptr<LoadedModel> model;
    std::unique_ptr<ThreadPool> pool;
    std::unique_ptr<Engine> engine;
    api::ServingContext ctx;
    try {
        const auto t0 = Clock::now();
        model = loader(cfg);
        const ModelConfig& mc = model->weights.config;
        // The cache plan is a pure function of these options: the engine makes the same one below.
        const CachePlan plan = plan_cache(mc, cfg.cache, cfg.max_num_seqs);
        const ResolvedContext context = resolve_context_length(
            cfg.max_model_len, cfg.allow_long_max_model_len,
            {.model_len = mc.max_position_embeddings > 0 ? mc.max_position_embeddings : 4096,
             .cache_tokens = plan.max_tokens,
             .cache_bytes_per_token = plan.block_bytes / cfg.cache.block_size,
             .cache_budget_bytes = plan.num_blocks * plan.block_bytes});
        if (!context.warning.empty()) SPDLOG_WARN("{}", context.warning);
        ctx.max_model_len = context.max_model_len;
        pool = std::make_unique<ThreadPool>(cfg.threads);
        EngineOptions engine_options;
        engine_options.max_num_seqs = cfg.max_num_seqs;
        engine_options.max_num_batched_tokens = cfg.max_num_batched_tokens;
        engine_options.long_prefill_token_threshold = cfg.long_prefill_token_threshold;
        engine_options.admission_window = std::chrono::microseconds(cfg.admission_window_us);
        engine_options.policy = cfg.scheduling_policy;
        engine_options.max_model_len = ctx.max_model_len;
        engine_options.cache = cfg.cache;
        engine_options.num_speculative_tokens = cfg.num_speculative_tokens;  // the engine checks for MTP
        // Our conv state layout is our own ([K−1, Cd] per layer); the vLLM variable is accepted and logged.
        if (const char* layout = std::getenv("VLLM_SSM_CONV_STATE_LAYOUT"))
            SPDLOG_INFO(
                "VLLM_SSM_CONV_STATE_LAYOUT={} accepted; conv state is stored as [K-1, conv channels]",
                layout);
        engine = std::make_unique<Engine>(model->weights, *pool, engine_options);
        if (cfg.num_speculative_tokens > 0)
            SPDLOG_INFO("speculative decoding: MTP, {} draft tokens per step", cfg.num_speculative_tokens);
        SPDLOG_INFO(
            "{}; prefix caching {}, mamba cache mode {} (snapshot every {} tokens), SSM snapshots {}{}",
            engine->scheduler().plan().describe(), cfg.cache.enable_prefix_caching ? "on" : "off",
            mamba_cache_mode_name(cfg.cache.mamba_cache_mode), cfg.cache.snapshot_interval,
            ssm_cache_dtype_name(cfg.cache.ssm_cache.dtype),
            cfg.cache.ssm_cache.stochastic
                ? " (stochastic rounding, " + std::to_string(cfg.cache.ssm_cache.philox_rounds) +
                      " Philox rounds)"
                : std::string());
        ctx.engine = engine.get();
        ctx.tokenizer = model->tokenizer;
        ctx.chat_template = model->chat_template;
        ctx.model_root = model->weights.source_path;
        ctx.served_names = cfg.served_model_names;
        // vLLM serves under the model argument as given (a repo id stays a repo id, not its snapshot path).
        if (ctx.served_names.empty())
            ctx.served_names.push_back(cfg.model.empty() ? model->weights.source_path
                                                         : served_name_of_reference(cfg.model));
        ctx.vocab_size = mc.vocab_size;
        ctx.max_logprobs = cfg.max_logprobs;
        ctx.defaults = model->defaults;
        ctx.default_chat_template_kwargs = cfg.default_chat_template_kwargs;
        ctx.trust_request_chat_template = cfg.trust_request_chat_template;
        ctx.force_include_usage = cfg.enable_force_include_usage;
        ctx.prompt_tokens_details = cfg.enable_prompt_tokens_details;
        ctx.priority_scheduling = cfg.scheduling_policy == SchedulingPolicy::PRIORITY;
        ctx.reasoning_parser = cfg.reasoning_parser;
        ctx.tool_call_parser = cfg.tool_call_parser;
        ctx.enable_auto_tool_choice = cfg.enable_auto_tool_choice;
        ctx.exclude_tools_when_tool_choice_none = cfg.exclude_tools_when_tool_choice_none;
        ctx.response_role = cfg.response_role;
        ctx.return_tokens_as_token_ids = cfg.return_tokens_as_token_ids;
        ctx.max_thinking_tokens = cfg.max_thinking_tokens;
        ctx.thinking_end_message = cfg.thinking_end_message;
        for (int64_t id : mc.eos_token_ids) ctx.eos_token_ids.push_back(static_cast<int32_t>(id));
        for (int32_t id : model->defaults.eos_token_ids)
            if (std::find(ctx.eos_token_ids.begin(), ctx.eos_token_ids.end(), id) == ctx.eos_token_ids.end())
                ctx.eos_token_ids.push_back(id);
        if (model->tokenizer->eos_id() >= 0 &&
            std::find(ctx.eos_token_ids.begin(), ctx.eos_token_ids.end(), model->tokenizer->eos_id()) ==
                ctx.eos_token_ids.end())
            ctx.eos_token_ids.push_back(model->tokenizer->eos_id());
        api::resolve_output_parsers(ctx);  // logs the active reasoning / tool-call parsers
        size_t bytes = 0;
        for (const auto& f : model->weights.files) bytes += f ? f->size() : 0;
        SPDLOG_INFO("model {} ({} layers, pattern {}, vocab {}, {:.1f} MiB mapped) loaded in {:.2f}s",
                    ctx.model_root, mc.num_layers(), mc.layer_pattern(), mc.vocab_size,
                    static_cast<double>(bytes) / (1 << 20),
                    std::chrono::duration<double>(Clock::now() - t0).count());
        if (model->weights.f32_panels)
            SPDLOG_INFO("F32 matrices copied into 16-row panels for the GEMM: {:.1f} MiB",
                        static_cast<double>(model->weights.f32_panels->size()) / (1 << 20));
        if (model->weights.bf16_panel_bytes > 0)
            SPDLOG_INFO("BF16 matrices rewritten in place as 16-row panels for vdpbf16ps: {:.1f} MiB",
                        static_cast<double>(model->weights.bf16_panel_bytes) / (1 << 20));
        // Sequence memory (lessons §1 item 8): fixed Mamba state per sequence plus K/V per token, so the
        // operator sees what max_num_seqs × max_model_len can cost before it happens.
        int64_t n_mamba = 0, n_attn = 0;
        for (LayerKind k : mc.layers) n_mamba += k == LayerKind::MAMBA, n_attn += k == LayerKind::ATTENTION;
        const double mib = 1.0 / (1 << 20);
        const double state_mib =
            static_cast<double>(n_mamba *
                                ((mc.conv_kernel - 1) * mc.conv_channels() +
                                 mc.mamba_num_heads * mc.mamba_head_dim * mc.ssm_state_size) *
                                4) *
            mib;
        const double kv_kib =
            static_cast<double>(
                n_attn * 2 * kernels::kv_row_bytes(cfg.cache.kv_dtype, mc.num_key_value_heads, mc.head_dim)) /
            1024.0;
        SPDLOG_INFO(
            "per sequence: {:.2f} MiB Mamba state + {:.1f} KiB K/V per token; {} full-context sequences "
            "need {:.1f} GiB",
            state_mib, kv_kib, cfg.max_num_seqs,
            cfg.max_num_seqs * (state_mib + kv_kib * static_cast<double>(ctx.max_model_len) / 1024.0) /
                1024.0);
        SPDLOG_INFO(
            "served as {}; max_model_len {}; max_num_seqs {}; scheduling policy {}; {} compute threads; chat "
            "template: {}",
            ctx.served_names.front(), ctx.max_model_len, cfg.max_num_seqs,
            scheduling_policy_name(cfg.scheduling_policy), pool->size(),
            ctx.chat_template ? ctx.chat_template->source().origin : "none");
        ctx_ptr = &ctx;
        ready = true;
        SPDLOG_INFO("ready");
    } catch (const std::exception& e) {
        SPDLOG_CRITICAL("startup failed: {}", e.what());
        rc = 1;
        api_server.stop();
        if (health_server) health_server->stop();
    }
    api_thread.join();
    if (health_thread.joinable()) {
        health_server->stop();
        health_thread.join();
    }
    g_servers[0] = nullptr;
    g_servers[1] = nullptr;
    ready = false;
    ctx_ptr = nullptr;
    engine.reset();
    return rc;
}

}  // namespace hy::server
