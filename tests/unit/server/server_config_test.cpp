#include "server/server_config.h"

#include <gtest/gtest.h>

#include <map>

#include "core/error.h"

namespace hy::server {
namespace {

struct Env {
    std::map<std::string, std::string> vars;
    EnvLookup lookup() const {
        return [this](const char* k) -> const char* {
            auto it = vars.find(k);
            return it == vars.end() ? nullptr : it->second.c_str();
        };
    }
};

TEST(ServerConfig, Defaults) {
    Env env;
    ServerConfig c = parse_server_config({}, env.lookup());
    EXPECT_EQ(c.host, "0.0.0.0");
    EXPECT_EQ(c.port, 8000);
    EXPECT_FALSE(c.max_model_len);
    EXPECT_TRUE(c.model.empty());
    EXPECT_EQ(c.admission_window_us, 500);
    EXPECT_EQ(parse_server_config({"--admission-window-us", "0"}, env.lookup()).admission_window_us, 0);
    EXPECT_THROW(parse_server_config({"--admission-window-us", "-1"}, env.lookup()), Error);
}

TEST(ServerConfig, SchedulingPolicyAsVllmSpellsIt) {
    Env env;
    EXPECT_EQ(parse_server_config({}, env.lookup()).scheduling_policy, SchedulingPolicy::FCFS);
    EXPECT_EQ(parse_server_config({"--scheduling-policy", "priority"}, env.lookup()).scheduling_policy,
              SchedulingPolicy::PRIORITY);
    EXPECT_EQ(parse_server_config({"--scheduling-policy=fcfs"}, env.lookup()).scheduling_policy,
              SchedulingPolicy::FCFS);
    EXPECT_THROW(parse_server_config({"--scheduling-policy", "sjf"}, env.lookup()), Error);
}

TEST(ServerConfig, ModelLenForms) {
    EXPECT_EQ(parse_model_len("32k"), 32000);
    EXPECT_EQ(parse_model_len("32K"), 32768);
    EXPECT_EQ(parse_model_len("4096"), 4096);
    EXPECT_FALSE(parse_model_len("auto"));
    EXPECT_FALSE(parse_model_len("-1"));
    EXPECT_THROW(parse_model_len("abc"), Error);
    EXPECT_THROW(parse_model_len("0"), Error);
}

TEST(ServerConfig, PrecedenceCliOverPassthroughOverNim) {
    Env env;
    env.vars["NIM_SERVER_PORT"] = "9000";
    env.vars["NIM_MAX_MODEL_LEN"] = "2k";
    env.vars["NIM_SERVED_MODEL_NAME"] = "nim-name";
    env.vars["NIM_PASSTHROUGH_ARGS"] =
        "--port 9100 --max-model-len=1024 --default-chat-template-kwargs '{\"enable_thinking\": false}'";
    ServerConfig c = parse_server_config({"--port", "9200"}, env.lookup());
    EXPECT_EQ(c.port, 9200);
    EXPECT_EQ(c.max_model_len, 1024);
    EXPECT_EQ(c.served_model_names, (std::vector<std::string>{"nim-name"}));
    EXPECT_EQ(c.default_chat_template_kwargs["enable_thinking"], false);
}

TEST(ServerConfig, NimKvCacheReuseSwitchesPrefixCaching) {
    Env env;
    EXPECT_TRUE(parse_server_config({}, env.lookup()).cache.enable_prefix_caching);  // unset: on
    env.vars["NIM_ENABLE_KV_CACHE_REUSE"] = "0";
    EXPECT_FALSE(parse_server_config({}, env.lookup()).cache.enable_prefix_caching);
    EXPECT_TRUE(parse_server_config({"--enable-prefix-caching"}, env.lookup()).cache.enable_prefix_caching);
    env.vars["NIM_ENABLE_KV_CACHE_REUSE"] = "True";
    EXPECT_TRUE(parse_server_config({}, env.lookup()).cache.enable_prefix_caching);
    env.vars["NIM_ENABLE_KV_CACHE_REUSE"] = "maybe";
    EXPECT_THROW(parse_server_config({}, env.lookup()), Error);
}

// vLLM's CORS flags and NIM's CORS variables fill one set of options; the command line wins.
TEST(ServerConfig, CorsFromFlagsAndNimVariables) {
    Env env;
    const ServerConfig d = parse_server_config({}, env.lookup());
    EXPECT_EQ(d.cors.allowed_origins, (std::vector<std::string>{"*"}));
    EXPECT_FALSE(d.cors.allow_credentials);
    env.vars["NIM_CORS_ALLOW_ORIGINS"] = "https://a.example,https://b.example";
    env.vars["NIM_CORS_ALLOW_METHODS"] = R"(["GET", "POST"])";
    env.vars["NIM_CORS_EXPOSE_HEADERS"] = "X-Request-Id";
    env.vars["NIM_CORS_MAX_AGE"] = "60";
    ServerConfig c = parse_server_config({}, env.lookup());
    EXPECT_EQ(c.cors.allowed_origins, (std::vector<std::string>{"https://a.example", "https://b.example"}));
    EXPECT_EQ(c.cors.allowed_methods, (std::vector<std::string>{"GET", "POST"}));
    EXPECT_EQ(c.cors.expose_headers, (std::vector<std::string>{"X-Request-Id"}));
    EXPECT_EQ(c.cors.max_age_s, 60);
    c = parse_server_config({"--allowed-origins", R"(["https://ui.example"])", "--allowed-headers",
                             "Authorization", "Content-Type", "--allow-credentials"},
                            env.lookup());
    EXPECT_EQ(c.cors.allowed_origins, (std::vector<std::string>{"https://ui.example"}));
    EXPECT_EQ(c.cors.allowed_headers, (std::vector<std::string>{"Authorization", "Content-Type"}));
    EXPECT_TRUE(c.cors.allow_credentials);
    env.vars["NIM_CORS_MAX_AGE"] = "soon";
    EXPECT_THROW(parse_server_config({}, env.lookup()), Error);
}

// The flags of Nemotron 3's vLLM recipes start the server: parser plugins are built in (noted, not
// loaded), docs and proxy-path flags change nothing here; request id headers are a real switch.
TEST(ServerConfig, RecipeFlagsAreAcceptedAndNoted) {
    Env env;
    const ServerConfig c =
        parse_server_config({"--reasoning-parser-plugin", "nano_v3_reasoning_parser.py", "--reasoning-parser",
                             "nano_v3", "--disable-fastapi-docs", "--root-path", "/llm", "--revision", "main",
                             "--enable-request-id-headers"},
                            env.lookup());
    EXPECT_TRUE(c.enable_request_id_headers);
    bool plugin_noted = false;
    for (const auto& n : c.notes)
        plugin_noted = plugin_noted || n.find("nano_v3_reasoning_parser.py") != std::string::npos;
    EXPECT_TRUE(plugin_noted);
    EXPECT_FALSE(parse_server_config({}, env.lookup()).enable_request_id_headers);
    // Content as a string is what every template here reads; the list form is refused by name.
    EXPECT_NO_THROW(parse_server_config({"--chat-template-content-format", "string"}, env.lookup()));
    EXPECT_NO_THROW(parse_server_config({"--chat-template-content-format=auto"}, env.lookup()));
    EXPECT_THROW(parse_server_config({"--chat-template-content-format", "openai"}, env.lookup()), Error);
}

// One set of words for every switch: `--flag=VALUE` and the environment's switches agree.
TEST(ServerConfig, SwitchesAcceptTheSameWordsEverywhere) {
    Env env;
    for (const char* on : {"1", "true", "True", "yes", "ON"}) {
        const std::string flag = std::string("--enable-prompt-tokens-details=") + on;
        EXPECT_TRUE(parse_server_config({flag}, env.lookup()).enable_prompt_tokens_details) << on;
        EXPECT_FALSE(parse_server_config({"--no-enable-prefix-caching=" + std::string(on)}, env.lookup())
                         .cache.enable_prefix_caching)
            << on;
        Env e;
        e.vars["VLLM_ALLOW_LONG_MAX_MODEL_LEN"] = on;
        e.vars["VLLM_ENABLE_RESPONSES_API_STORE"] = on;
        e.vars["NIM_JSONL_LOGGING"] = on;
        const ServerConfig c = parse_server_config({}, e.lookup());
        EXPECT_TRUE(c.allow_long_max_model_len) << on;
        EXPECT_TRUE(c.enable_responses_store) << on;
        EXPECT_TRUE(c.jsonl_logging) << on;
    }
    for (const char* off : {"0", "false", "No", "off"}) {
        const std::string flag = std::string("--enable-prompt-tokens-details=") + off;
        EXPECT_FALSE(parse_server_config({flag}, env.lookup()).enable_prompt_tokens_details) << off;
        Env e;
        e.vars["VLLM_ALLOW_LONG_MAX_MODEL_LEN"] = off;
        EXPECT_FALSE(parse_server_config({}, e.lookup()).allow_long_max_model_len) << off;
    }
    EXPECT_FALSE(parse_server_config({}, env.lookup()).allow_long_max_model_len);  // unset: off
    EXPECT_FALSE(parse_server_config({}, env.lookup()).jsonl_logging);
    try {
        parse_server_config({"--enable-prompt-tokens-details=maybe"}, env.lookup());
        FAIL() << "a word that is no switch value was accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("--enable-prompt-tokens-details: expected 1/true/yes/on"),
                  std::string::npos)
            << e.what();
    }
    env.vars["VLLM_ALLOW_LONG_MAX_MODEL_LEN"] = "2";
    EXPECT_THROW(parse_server_config({}, env.lookup()), Error);
}

TEST(ServerConfig, FlagSpellings) {
    Env env;
    ServerConfig c = parse_server_config(
        {"--served_model_name", "a", "b", "--max-num-seqs=4", "--api-key", "k", "--enable-prefix-caching",
         "--no-enable-prefix-caching", "-tp", "2", "--gpu-memory-utilization", "0.9"},
        env.lookup());
    EXPECT_EQ(c.served_model_names, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(c.max_num_seqs, 4);
    EXPECT_EQ(c.api_key, "k");
    EXPECT_FALSE(c.cache.enable_prefix_caching);  // the later --no- form wins
    EXPECT_GE(c.notes.size(), 2u);                // tp, gpu memory
}

// Dotted sub-keys work for every JSON flag, merging by key like the JSON form (spec/api.md §9.2).
TEST(ServerConfig, DottedSubKeysOfJsonFlags) {
    Env env;
    ServerConfig c = parse_server_config(
        {"--default-chat-template-kwargs", R"({"a": 1})", "--default-chat-template-kwargs.enable_thinking",
         "false", "--default_chat_template_kwargs.mode=fast", "--reasoning-config.max_thinking_tokens", "64"},
        env.lookup());
    EXPECT_EQ(c.default_chat_template_kwargs,
              nlohmann::ordered_json::parse(R"({"a": 1, "enable_thinking": false, "mode": "fast"})"));
    EXPECT_EQ(c.max_thinking_tokens, 64);
    EXPECT_THROW(parse_server_config({"--max-num-seqs.x", "1"}, env.lookup()), Error);  // not a JSON flag
    // Found by fuzz_openai_request: bytes that are not UTF-8 are an Error, not a JSON exception.
    EXPECT_THROW(parse_server_config({"--reasoning-config.k", "\xff\xfe"}, env.lookup()), Error);
    EXPECT_THROW(parse_server_config({"--reasoning-config.\xff", "1"}, env.lookup()), Error);
}

// vLLM's --exclude-tools-when-tool-choice-none and VLLM_API_KEY (the flag wins over the variable).
TEST(ServerConfig, VllmToolAndKeyOptions) {
    Env env;
    EXPECT_FALSE(parse_server_config({}, env.lookup()).exclude_tools_when_tool_choice_none);
    EXPECT_TRUE(parse_server_config({"--exclude-tools-when-tool-choice-none"}, env.lookup())
                    .exclude_tools_when_tool_choice_none);
    env.vars["VLLM_API_KEY"] = "from-env";
    EXPECT_EQ(parse_server_config({}, env.lookup()).api_key, "from-env");
    EXPECT_EQ(parse_server_config({"--api-key", "from-cli"}, env.lookup()).api_key, "from-cli");
}

// TLS from vLLM's flags or NIM's variables (the flags win); settings that cannot work stop startup.
TEST(ServerConfig, TlsFromFlagsAndNimVariables) {
    Env env;
    EXPECT_FALSE(parse_server_config({}, env.lookup()).tls.enabled());
    ServerConfig c = parse_server_config({"--ssl-certfile", "s.pem", "--ssl-keyfile", "s.key",
                                          "--ssl-ca-certs", "ca.pem", "--ssl-cert-reqs", "1"},
                                         env.lookup());
    EXPECT_TRUE(c.tls.enabled());
    EXPECT_EQ(c.tls.keyfile, "s.key");
    EXPECT_EQ(c.tls.cert_reqs, 1);
    env.vars = {{"NIM_SSL_MODE", "mtls"},
                {"NIM_SSL_KEY_PATH", "n.key"},
                {"NIM_SSL_CERTS_PATH", "n.pem"},
                {"NIM_SSL_CA_CERTS_PATH", "nca.pem"}};
    c = parse_server_config({}, env.lookup());
    EXPECT_EQ(c.tls.certfile, "n.pem");
    EXPECT_EQ(c.tls.ca_certs, "nca.pem");
    EXPECT_EQ(c.tls.cert_reqs, 2);
    EXPECT_EQ(parse_server_config({"--ssl-certfile", "cli.pem"}, env.lookup()).tls.certfile, "cli.pem");
    env.vars["NIM_SSL_MODE"] = "DISABLED";
    EXPECT_FALSE(parse_server_config({}, env.lookup()).tls.enabled());
    Env none;
    for (const std::vector<std::string>& bad :
         {std::vector<std::string>{"--ssl-certfile", "s.pem"},
          {"--ssl-keyfile", "s.key"},
          {"--ssl-certfile", "s.pem", "--ssl-keyfile", "s.key", "--ssl-cert-reqs", "2"},
          {"--ssl-cert-reqs", "3"}})
        EXPECT_THROW(parse_server_config(bad, none.lookup()), Error) << bad[0];
    Env bad_mode, missing_ca;
    bad_mode.vars["NIM_SSL_MODE"] = "sometimes";
    EXPECT_THROW(parse_server_config({}, bad_mode.lookup()), Error);
    missing_ca.vars = {{"NIM_SSL_MODE", "MTLS"}, {"NIM_SSL_KEY_PATH", "k"}, {"NIM_SSL_CERTS_PATH", "c"}};
    EXPECT_THROW(parse_server_config({}, missing_ca.lookup()), Error);
}

TEST(ServerConfig, VllmCacheAndSchedulerFlagsAreAccepted) {
    Env env;
    ServerConfig c =
        parse_server_config({"--mamba-block-size", "512", "--prefix-caching-hash-algo", "sha256",
                             "--num-gpu-blocks-override", "64", "--max-num-partial-prefills", "2",
                             "--long-prefill-token-threshold", "512", "--calculate-kv-scales"},
                            env.lookup());
    EXPECT_EQ(c.cache.snapshot_interval, 512);  // vLLM's Mamba block grid is our snapshot interval
    EXPECT_EQ(c.long_prefill_token_threshold, 512);
    EXPECT_EQ(c.notes.size(), 4u);  // each of the others says what it does here
    EXPECT_THROW(parse_server_config({"--prefix-caching-hash-algo", "md5"}, env.lookup()), Error);
    ServerConfig e5m2 = parse_server_config({"--kv-cache-dtype", "fp8_e5m2"}, env.lookup());
    EXPECT_EQ(e5m2.cache.kv_dtype, kernels::KvDtype::FP8);  // e4m3 with scales stands in, and says so
    EXPECT_EQ(e5m2.notes.size(), 1u);
    EXPECT_EQ(parse_server_config({"--mamba-cache-dtype", "float16"}, env.lookup()).notes.size(), 1u);
    EXPECT_THROW(parse_server_config({"--mamba-cache-dtype", "int4"}, env.lookup()), Error);
}

TEST(ServerConfig, CacheFlags) {
    Env env;
    ServerConfig c =
        parse_server_config({"--block-size", "16", "--kv-cache-memory", "1.5G", "--mamba-cache-mode", "all",
                             "--mamba-cache-interval", "32", "--mamba-ssm-cache-dtype", "bfloat16",
                             "--enable-mamba-cache-stochastic-rounding", "--mamba-cache-philox-rounds", "7",
                             "--enable-prompt-tokens-details"},
                            env.lookup());
    EXPECT_EQ(c.cache.block_size, 16);
    EXPECT_EQ(c.cache.kv_cache_memory, 1.5 * 1024 * 1024 * 1024);
    EXPECT_EQ(c.cache.mamba_cache_mode, MambaCacheMode::ALL);
    EXPECT_EQ(c.cache.snapshot_interval, 32);
    EXPECT_EQ(c.cache.ssm_cache.dtype, SsmCacheDtype::BFLOAT16);
    EXPECT_TRUE(c.cache.ssm_cache.stochastic);
    EXPECT_EQ(c.cache.ssm_cache.philox_rounds, 7);
    EXPECT_TRUE(c.enable_prompt_tokens_details);
    EXPECT_EQ(parse_server_config({"--kv-cache-memory", "0.25"}, env.lookup()).cache.kv_cache_memory, 0.25);
    for (std::vector<std::string> bad : {std::vector<std::string>{"--kv-cache-memory", "lots"},
                                         {"--kv-cache-memory", "0"},
                                         {"--mamba-cache-mode", "some"},
                                         {"--mamba-ssm-cache-dtype", "int8"},
                                         {"--block-size", "0"}})
        EXPECT_THROW(parse_server_config(bad, env.lookup()), Error) << bad[0] << " " << bad[1];
}

TEST(ServerConfig, UnknownFlagNamesIt) {
    Env env;
    try {
        parse_server_config({"--bogus-flag", "1"}, env.lookup());
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("--bogus-flag"), std::string::npos);
    }
    env.vars["NIM_PASSTHROUGH_ARGS"] = "--nope";
    EXPECT_THROW(parse_server_config({}, env.lookup()), Error);
}

TEST(ServerConfig, UnterminatedPassthroughQuoteIsAnError) {
    Env env;
    env.vars["NIM_PASSTHROUGH_ARGS"] = "--default-chat-template-kwargs '{\"a\": 1}";
    EXPECT_THROW(parse_server_config({}, env.lookup()), Error);
}

TEST(ServerConfig, BadValues) {
    Env env;
    EXPECT_THROW(parse_server_config({"--port", "x"}, env.lookup()), Error);
    EXPECT_THROW(parse_server_config({"--port"}, env.lookup()), Error);
    EXPECT_THROW(parse_server_config({"--default-chat-template-kwargs", "[1]"}, env.lookup()), Error);
    EXPECT_THROW(parse_server_config({"--max-num-seqs", "0"}, env.lookup()), Error);
}

TEST(ServerConfig, HelpListsFlags) {
    const std::string h = server_help();
    for (const char* f :
         {"--model", "--served-model-name", "--max-model-len", "--api-key", "--chat-template"})
        EXPECT_NE(h.find(f), std::string::npos) << f;
}

}  // namespace
}  // namespace hy::server
