#include "server/server_config.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/ascii.h"
#include "core/error.h"
#include "server/shell_split.h"

namespace hy::server {

namespace {

using Json = nlohmann::ordered_json;

enum class Kind { VALUE, BOOL, MULTI };

struct Flag {
    std::vector<std::string> names;  // canonical first, dashes only
    Kind kind;
    std::string help;
    std::function<void(ServerConfig&, const std::vector<std::string>&, bool)> apply;  // values, bool value
};

int64_t parse_int(const std::string& flag, const std::string& v, int64_t lo, int64_t hi) {
    size_t used = 0;
    int64_t x = 0;
    try {
        x = std::stoll(v, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != v.size()) throw Error(flag + ": invalid integer value '" + v + "'");
    if (x < lo || x > hi)
        throw Error(flag + ": value " + v + " out of range [" + std::to_string(lo) + ", " +
                    std::to_string(hi) + "]");
    return x;
}

// --kv-cache-memory: bytes (optionally with a K/M/G/T binary suffix, "GiB" style too) or a fraction
// of physical RAM in (0, 1].
double parse_memory(const std::string& flag, const std::string& v) {
    size_t used = 0;
    double x = 0;
    try {
        x = std::stod(v, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    std::string unit = used ? v.substr(used) : "";
    for (const std::string suffix : {"iB", "B"})
        if (unit.size() >= suffix.size() && unit.ends_with(suffix)) unit.resize(unit.size() - suffix.size());
    double scale = 1;
    if (unit == "K" || unit == "k")
        scale = 1024.0;
    else if (unit == "M" || unit == "m")
        scale = 1024.0 * 1024;
    else if (unit == "G" || unit == "g")
        scale = 1024.0 * 1024 * 1024;
    else if (unit == "T" || unit == "t")
        scale = 1024.0 * 1024 * 1024 * 1024;
    else if (!unit.empty())
        used = 0;
    if (used == 0 || !(x > 0) || (!unit.empty() && x * scale <= 1.0))
        throw Error(flag + ": expected bytes (e.g. 4G) or a fraction of RAM in (0, 1], got '" + v + "'");
    return x * scale;
}

// The words one switch accepts, on the command line (`--flag=VALUE`) and in the environment alike.
bool switch_value(const std::string& what, const std::string& v) {
    const std::string l = ascii_lower(v);
    if (l == "1" || l == "true" || l == "yes" || l == "on") return true;
    if (l == "0" || l == "false" || l == "no" || l == "off") return false;
    throw Error(what + ": expected 1/true/yes/on or 0/false/no/off, got '" + v + "'");
}

Json parse_json_object(const std::string& flag, const std::string& v) {
    Json j = Json::parse(v, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw Error(flag + ": expected a JSON object, got '" + v + "'");
    return j;
}

// Accepted for compatibility; they describe GPU deployment choices that have no CPU meaning.
Flag not_applicable(std::vector<std::string> names, Kind kind, std::string help) {
    const std::string name = names.front();
    return {std::move(names), kind, help, [name](ServerConfig& c, const std::vector<std::string>& v, bool b) {
                std::string shown = v.empty() ? (b ? "on" : "off") : v.front();
                c.notes.push_back("--" + name + "=" + shown + ": not applicable on CPU, ignored");
            }};
}

const std::vector<Flag>& flags() {
    static const std::vector<Flag> table = [] {
        std::vector<Flag> t;
        auto value = [&](std::vector<std::string> names, std::string help,
                         std::function<void(ServerConfig&, const std::string&)> f) {
            t.push_back({std::move(names), Kind::VALUE, std::move(help),
                         [f](ServerConfig& c, const std::vector<std::string>& v, bool) { f(c, v.front()); }});
        };
        auto boolean = [&](std::vector<std::string> names, std::string help,
                           std::function<void(ServerConfig&, bool)> f) {
            t.push_back({std::move(names), Kind::BOOL, std::move(help),
                         [f](ServerConfig& c, const std::vector<std::string>&, bool b) { f(c, b); }});
        };
        value({"model"}, "Model directory, .safetensors or .gguf file (default: the embedded model)",
              [](ServerConfig& c, const std::string& v) { c.model = v; });
        t.push_back(
            {{"served-model-name"},
             Kind::MULTI,
             "Names accepted in the `model` field; the first is reported (default: the model path)",
             [](ServerConfig& c, const std::vector<std::string>& v, bool) { c.served_model_names = v; }});
        value({"host"}, "Address to listen on (default 0.0.0.0)",
              [](ServerConfig& c, const std::string& v) { c.host = v; });
        value({"port"}, "Port (default 8000)", [](ServerConfig& c, const std::string& v) {
            c.port = static_cast<int>(parse_int("--port", v, 0, 65535));
        });
        value({"max-model-len"}, "Context length: int, 32k = 32000, 32K = 32768, -1/auto = the model's",
              [](ServerConfig& c, const std::string& v) { c.max_model_len = parse_model_len(v); });
        value({"max-num-seqs"}, "Sequences decoded together per step (default 256)",
              [](ServerConfig& c, const std::string& v) {
                  c.max_num_seqs = static_cast<int>(parse_int("--max-num-seqs", v, 1, 1 << 20));
              });
        value({"max-num-batched-tokens"}, "Prompt tokens per step (chunked prefill, default 2048)",
              [](ServerConfig& c, const std::string& v) {
                  c.max_num_batched_tokens =
                      static_cast<int>(parse_int("--max-num-batched-tokens", v, 1, 1 << 24));
              });
        value({"long-prefill-token-threshold"},
              "At most this many tokens of one prompt per step, so a long prompt shares each step with "
              "other prompts and decodes (vLLM; default 0 = only --max-num-batched-tokens)",
              [](ServerConfig& c, const std::string& v) {
                  c.long_prefill_token_threshold = parse_int("--long-prefill-token-threshold", v, 0, 1 << 24);
              });
        value({"admission-window-us"},
              "Hold a burst of arrivals until none has come for this long (us; at most 10x that), so "
              "their prompts prefill in one step; a lone request is admitted at once (default 500, 0 = off)",
              [](ServerConfig& c, const std::string& v) {
                  c.admission_window_us = parse_int("--admission-window-us", v, 0, 10'000'000);
              });
        value(
            {"scheduling-policy"},
            "fcfs (default): requests run in arrival order and a request with a nonzero `priority` is a "
            "400, as in vLLM; priority: by (priority, arrival), smaller first, lowest preempted first",
            [](ServerConfig& c, const std::string& v) { c.scheduling_policy = parse_scheduling_policy(v); });
        value({"block-size"}, "Tokens per KV cache block (default 64)",
              [](ServerConfig& c, const std::string& v) {
                  c.cache.block_size = parse_int("--block-size", v, 1, 4096);
              });
        value({"kv-cache-memory", "kv-cache-memory-bytes"},
              "Memory for KV blocks, Mamba state slots and snapshots: bytes (4G) or a fraction of RAM "
              "(default 0.1)",
              [](ServerConfig& c, const std::string& v) {
                  c.cache.kv_cache_memory = parse_memory("--kv-cache-memory", v);
              });
        boolean({"enable-prefix-caching"}, "Reuse cached prompt prefixes (default on)",
                [](ServerConfig& c, bool b) { c.cache.enable_prefix_caching = b; });
        boolean({"enable-prompt-tokens-details"}, "Report usage.prompt_tokens_details.cached_tokens",
                [](ServerConfig& c, bool b) { c.enable_prompt_tokens_details = b; });
        value({"mamba-cache-mode"},
              "Mamba snapshots for prefix caching: none, all (every block), align (prompt ends and every "
              "--mamba-cache-interval tokens; default)",
              [](ServerConfig& c, const std::string& v) {
                  c.cache.mamba_cache_mode = parse_mamba_cache_mode(v);
              });
        // vLLM's --mamba-block-size is the same grid: align mode keeps the Mamba state every that many
        // tokens.
        value({"mamba-cache-interval", "mamba-block-size"},
              "Tokens between Mamba snapshots in align mode (a multiple of --block-size, default 256)",
              [](ServerConfig& c, const std::string& v) {
                  c.cache.snapshot_interval = parse_int("--mamba-cache-interval", v, 1, int64_t{1} << 30);
              });
        value(
            {"kv-cache-dtype"},
            "K/V cache storage: auto (= float32, the compute dtype), bfloat16, fp8 (e4m3, per-token scales; "
            "vLLM's fp8_e5m2 is stored so too)",
            [](ServerConfig& c, const std::string& v) {
                // vLLM's other 8-bit format: the same bytes per value as e4m3 with a scale per token and
                // head, which keeps more precision than e5m2's two mantissa bits, so it stands in for it.
                if (v == "fp8_e5m2") {
                    c.cache.kv_dtype = parse_kv_cache_dtype("fp8_e4m3");
                    c.notes.push_back(
                        "--kv-cache-dtype=fp8_e5m2: stored as fp8 e4m3 with per-token scales "
                        "(the same size, more precise)");
                    return;
                }
                c.cache.kv_dtype = parse_kv_cache_dtype(v);
            });
        value({"mamba-ssm-cache-dtype"}, "SSM state in Mamba snapshots: float32 (default), float16, bfloat16",
              [](ServerConfig& c, const std::string& v) {
                  c.cache.ssm_cache.dtype = parse_ssm_cache_dtype(v);
              });
        boolean({"enable-mamba-cache-stochastic-rounding"},
                "Round 16-bit SSM snapshots stochastically (Philox, reproducible)",
                [](ServerConfig& c, bool b) { c.cache.ssm_cache.stochastic = b; });
        value({"mamba-cache-philox-rounds"}, "Philox rounds for stochastic rounding (default 10)",
              [](ServerConfig& c, const std::string& v) {
                  c.cache.ssm_cache.philox_rounds =
                      static_cast<int>(parse_int("--mamba-cache-philox-rounds", v, 1, 64));
              });
        value({"threads"}, "Compute threads (default: physical cores)",
              [](ServerConfig& c, const std::string& v) {
                  c.threads = static_cast<int>(parse_int("--threads", v, 0, 4096));
              });
        value({"max-logprobs"}, "Largest logprobs/top_logprobs accepted (default 20)",
              [](ServerConfig& c, const std::string& v) {
                  c.max_logprobs = static_cast<int>(parse_int("--max-logprobs", v, -1, 1 << 20));
              });
        value({"revision"}, "Branch, tag or commit of a Hugging Face repo id model (default main)",
              [](ServerConfig& c, const std::string& v) { c.revision = v; });
        value({"download-dir"},
              "Hugging Face hub cache holding repo id models (default: HF_HUB_CACHE / HF_HOME/hub)",
              [](ServerConfig& c, const std::string& v) { c.download_dir = v; });
        value({"ssl-keyfile"}, "TLS: the PEM private key (with --ssl-certfile the server speaks HTTPS)",
              [](ServerConfig& c, const std::string& v) { c.tls.keyfile = v; });
        value({"ssl-certfile"}, "TLS: the PEM certificate (chain)",
              [](ServerConfig& c, const std::string& v) { c.tls.certfile = v; });
        value({"ssl-ca-certs"}, "TLS: PEM CAs client certificates are verified against",
              [](ServerConfig& c, const std::string& v) { c.tls.ca_certs = v; });
        value({"ssl-cert-reqs"}, "TLS client certificates: 0 not asked (default), 1 optional, 2 required",
              [](ServerConfig& c, const std::string& v) {
                  c.tls.cert_reqs = static_cast<int>(parse_int("--ssl-cert-reqs", v, 0, 2));
              });
        value({"api-key"}, "Require `Authorization: Bearer KEY` on /v1 paths",
              [](ServerConfig& c, const std::string& v) { c.api_key = v; });
        auto cors_list = [&](std::string name, std::string help,
                             std::vector<std::string> CorsOptions::*field) {
            t.push_back({{name},
                         Kind::MULTI,
                         std::move(help),
                         [name, field](ServerConfig& c, const std::vector<std::string>& v, bool) {
                             std::vector<std::string> all;
                             for (const auto& x : v)
                                 for (auto& item : parse_cors_list("--" + name, x))
                                     all.push_back(std::move(item));
                             c.cors.*field = std::move(all);
                         }});
        };
        cors_list("allowed-origins",
                  "Origins a browser may call the API from (JSON list or words; default *)",
                  &CorsOptions::allowed_origins);
        cors_list("allowed-methods", "Methods a cross-origin request may use (default *)",
                  &CorsOptions::allowed_methods);
        cors_list("allowed-headers", "Request headers a cross-origin request may send (default *)",
                  &CorsOptions::allowed_headers);
        boolean({"allow-credentials"}, "Let cross-origin requests carry credentials (default off)",
                [](ServerConfig& c, bool b) { c.cors.allow_credentials = b; });
        value({"chat-template"}, "Chat template: a Jinja file or the template text",
              [](ServerConfig& c, const std::string& v) { c.chat_template = v; });
        value({"default-chat-template-kwargs"},
              "JSON object of chat template kwargs under each request's own",
              [](ServerConfig& c, const std::string& v) {
                  const Json kwargs = parse_json_object("--default-chat-template-kwargs", v);
                  for (const auto& [k, x] : kwargs.items())
                      c.default_chat_template_kwargs[k] = x;  // JSON flags merge by key (spec §9.1)
              });
        value({"generation-config"}, "'auto'/'vllm' (the model's generation_config.json) or a directory",
              [](ServerConfig& c, const std::string& v) { c.generation_config = v; });
        value({"log-level", "uvicorn-log-level"}, "debug, info, warning, error, critical",
              [](ServerConfig& c, const std::string& v) { c.log_level = v; });
        boolean({"trust-request-chat-template"}, "Allow a chat_template field in requests",
                [](ServerConfig& c, bool b) { c.trust_request_chat_template = b; });
        boolean({"enable-force-include-usage"}, "Always send the usage chunk when streaming",
                [](ServerConfig& c, bool b) { c.enable_force_include_usage = b; });
        boolean({"enable-responses-store"},
                "Keep Responses API results (store: true) in SQLite under NIM_CACHE_PATH (default "
                "~/.cache/hyserve)",
                [](ServerConfig& c, bool b) { c.enable_responses_store = b; });
        value({"reasoning-parser"},
              "Reasoning parser: nemotron_v3 (also deepseek_r1, nano_v3) or none; "
              "default: from the chat template",
              [](ServerConfig& c, const std::string& v) {
                  if (v == "nemotron_v3" || v == "nano_v3" || v == "deepseek_r1")
                      c.reasoning_parser = "nemotron_v3";
                  else if (v == "none" || v == "")
                      c.reasoning_parser = "none";
                  else
                      throw Error("--reasoning-parser: unsupported parser '" + v + "' (nemotron_v3, none)");
              });
        value({"tool-call-parser"}, "Tool call parser: qwen3_coder or none; default: from the chat template",
              [](ServerConfig& c, const std::string& v) {
                  if (v == "qwen3_coder")
                      c.tool_call_parser = v;
                  else if (v == "none" || v == "")
                      c.tool_call_parser = "none";
                  else
                      throw Error("--tool-call-parser: unsupported parser '" + v + "' (qwen3_coder, none)");
              });
        boolean({"enable-auto-tool-choice"}, "Let the model decide to call tools (tool_choice auto)",
                [](ServerConfig& c, bool b) { c.enable_auto_tool_choice = b; });
        value({"response-role"}, "The role of the answer after a generation prompt (default assistant)",
              [](ServerConfig& c, const std::string& v) { c.response_role = v; });
        boolean({"return-tokens-as-token-ids"},
                "Logprob tokens as \"token_id:N\" (for tokens that are not valid UTF-8 alone)",
                [](ServerConfig& c, bool b) { c.return_tokens_as_token_ids = b; });
        boolean(
            {"exclude-tools-when-tool-choice-none"},
            "With tool_choice \"none\", leave the tools out of the prompt (default: rendered, as in vLLM)",
            [](ServerConfig& c, bool b) { c.exclude_tools_when_tool_choice_none = b; });
        value({"max-thinking-tokens"}, "Server ceiling on reasoning tokens (requests can only lower it)",
              [](ServerConfig& c, const std::string& v) {
                  c.max_thinking_tokens = parse_int("--max-thinking-tokens", v, 0, INT64_MAX);
              });
        value({"reasoning-config"},
              "JSON: reasoning_start_str/reasoning_end_str (must be <think>/</think>), max_thinking_tokens, "
              "thinking_end_message",
              [](ServerConfig& c, const std::string& v) {
                  const Json j = parse_json_object("--reasoning-config", v);
                  if (j.contains("max_thinking_tokens") && j["max_thinking_tokens"].is_number_integer())
                      c.max_thinking_tokens = j["max_thinking_tokens"].get<int64_t>();
                  if (j.contains("thinking_end_message") && j["thinking_end_message"].is_string())
                      c.thinking_end_message = j["thinking_end_message"].get<std::string>();
                  if (j.value("reasoning_start_str", "<think>") != "<think>" ||
                      j.value("reasoning_end_str", "</think>") != "</think>")
                      throw Error("--reasoning-config: only <think>/</think> delimiters are supported");
              });
        value(
            {"speculative-config"},
            "JSON {\"method\":\"mtp\",\"num_speculative_tokens\":N}: MTP speculative decoding (*_mtp "
            "methods are aliases; dotted sub-keys such as --speculative-config.num_speculative_tokens merge)",
            [](ServerConfig& c, const std::string& v) {
                const Json j = parse_json_object("--speculative-config", v);
                for (const auto& [k, x] : j.items()) c.speculative_config[k] = x;  // merge by key
            });
        value({"structured-outputs-config"},
              "JSON (vLLM): accepted; the built-in grammar engine is always used",
              [](ServerConfig& c, const std::string& v) {
                  (void)parse_json_object("--structured-outputs-config", v);
                  (void)c;
              });
        value({"tensor-parallel-size", "tp"}, "GPUs for tensor parallelism (CPU: 1)",
              [](ServerConfig& c, const std::string& v) {
                  if (parse_int("--tensor-parallel-size", v, 1, 1024) > 1)
                      c.notes.push_back("--tensor-parallel-size=" + v +
                                        ": not applicable on CPU, running on one process");
              });
        value({"pipeline-parallel-size", "pp"}, "GPUs for pipeline parallelism (CPU: 1)",
              [](ServerConfig& c, const std::string& v) {
                  if (parse_int("--pipeline-parallel-size", v, 1, 1024) > 1)
                      c.notes.push_back("--pipeline-parallel-size=" + v +
                                        ": not applicable on CPU, running on one process");
              });
        value(
            {"mamba-cache-dtype"},
            "auto, float32, float16 or bfloat16 (vLLM: the Mamba conv and SSM state): accepted; the live "
            "states and the snapshots' conv state stay float32, --mamba-ssm-cache-dtype sets the "
            "snapshots' SSM state",
            [](ServerConfig& c, const std::string& v) {
                (void)parse_ssm_cache_dtype(v);  // the same names; a bad one is a startup error
                c.notes.push_back("--mamba-cache-dtype=" + v +
                                  ": Mamba states stay float32 (see --mamba-ssm-cache-dtype for snapshots)");
            });
        value(
            {"prefix-caching-hash-algo"},
            "sha256, sha256_cbor, xxhash, xxhash_cbor or builtin (vLLM's older default): accepted; a cache "
            "hit always compares the block's tokens, so no hash collision can share a wrong block",
            [](ServerConfig& c, const std::string& v) {
                static const std::vector<std::string> known = {"sha256", "sha256_cbor", "xxhash",
                                                               "xxhash_cbor", "builtin"};
                if (std::find(known.begin(), known.end(), v) == known.end()) {
                    std::string names;
                    for (const std::string& k : known) names += (names.empty() ? "" : ", ") + k;
                    throw Error("--prefix-caching-hash-algo: expected one of " + names + ", got '" + v + "'");
                }
                c.notes.push_back("--prefix-caching-hash-algo=" + v +
                                  ": blocks are indexed by a 64-bit hash chain and matched by their tokens");
            });
        // Nemotron 3's model cards start vLLM with `--reasoning-parser-plugin nano_v3_reasoning_parser.py`;
        // the parsers are built in here (spec/lessons.md 15), so a plugin file is accepted and not loaded.
        for (const char* n : {"reasoning-parser-plugin", "tool-parser-plugin"})
            t.push_back({{n},
                         Kind::VALUE,
                         "accepted for vLLM compatibility: the parsers are built in",
                         [name = std::string(n)](ServerConfig& c, const std::vector<std::string>& v, bool) {
                             c.notes.push_back("--" + name + "=" + v.front() +
                                               ": not loaded; the nemotron_v3 (nano_v3) reasoning and "
                                               "qwen3_coder tool call parsers are built in");
                         }});
        // vLLM passes message content to the template as a string (text parts joined) or as OpenAI's list
        // of parts; "auto" detects which the template reads. Nemotron's template reads strings, and so
        // does every template here (chat/chat_request.h), so only that form is offered.
        value({"chat-template-content-format"},
              "auto or string: message content reaches the chat template as a string (text parts joined); "
              "openai (a list of parts) is not supported",
              [](ServerConfig&, const std::string& v) {
                  if (v != "auto" && v != "string")
                      throw Error("--chat-template-content-format: '" + v +
                                  "' is not supported; message content reaches the chat template as a "
                                  "string (auto or string)");
              });
        boolean({"enable-request-id-headers"},
                "Answer every request with an X-Request-Id header: the request's own, else a new one",
                [](ServerConfig& c, bool b) { c.enable_request_id_headers = b; });
        for (const char* n : {"gpu-memory-utilization",
                              "dtype",
                              "quantization",
                              "tokenizer",
                              "load-format",
                              "distributed-executor-backend",
                              "swap-space",
                              "seed",
                              "max-seq-len-to-capture",
                              "cpu-offload-gb",
                              "data-parallel-size",
                              "tokenizer-mode",
                              "max-cudagraph-capture-size",
                              "cuda-graph-sizes",
                              "compilation-config",
                              "num-gpu-blocks-override",
                              "max-num-partial-prefills",
                              "max-long-partial-prefills",
                              "max-log-len",
                              "root-path"})
            t.push_back(
                not_applicable({n}, Kind::VALUE, "accepted for vLLM/NIM compatibility; no effect on CPU"));
        for (const char* n :
             {"enable-chunked-prefill", "trust-remote-code", "enforce-eager", "disable-log-requests",
              "disable-log-stats", "enable-log-requests", "disable-uvicorn-access-log",
              "enable-expert-parallel", "async-scheduling", "disable-custom-all-reduce",
              "calculate-kv-scales", "disable-hybrid-kv-cache-manager", "disable-fastapi-docs",
              "enable-ssl-refresh"})
            t.push_back(
                not_applicable({n}, Kind::BOOL, "accepted for vLLM/NIM compatibility; no effect yet"));
        return t;
    }();
    return table;
}

const Flag* find_flag(const std::string& name, bool& negated) {
    negated = false;
    for (const auto& f : flags())
        for (const auto& n : f.names)
            if (n == name) return &f;
    if (name.rfind("no-", 0) == 0)
        for (const auto& f : flags())
            if (f.kind == Kind::BOOL && f.names.front() == name.substr(3)) return negated = true, &f;
    return nullptr;
}

// argparse over one source: --flag value, --flag=value, _ ≡ -, --no-flag for booleans; one positional
// (vLLM's `serve MODEL`) sets the model.
void apply_args(ServerConfig& c, const std::vector<std::string>& args, const std::string& source) {
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "-h" || a == "--help") {
            c.help = true;
            continue;
        }
        if (a.size() < 2 || a[0] != '-') {
            c.model = a;
            continue;
        }
        std::string name = a.substr(a[1] == '-' ? 2 : 1);
        std::optional<std::string> inline_value;
        if (auto eq = name.find('='); eq != std::string::npos) {
            inline_value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        // vLLM's dotted sub-keys of a JSON flag (--speculative-config.method mtp,
        // --default-chat-template-kwargs.enable_thinking false): the key keeps its underscores, the value
        // is JSON when it parses as JSON, else a string; the flag then takes {"key": value}, which the
        // JSON flags merge by key (spec/api.md §9.2).
        std::string sub_key;
        if (auto dot = name.find('.'); dot != std::string::npos) {
            sub_key = name.substr(dot + 1);
            name = name.substr(0, dot);
        }
        std::replace(name.begin(), name.end(), '_', '-');
        if (!sub_key.empty()) {
            static const std::set<std::string> json_flags = {"speculative-config",
                                                             "default-chat-template-kwargs",
                                                             "reasoning-config", "structured-outputs-config"};
            bool negated_json = false;
            const Flag* jf = json_flags.count(name) ? find_flag(name, negated_json) : nullptr;
            if (!jf)
                throw Error("unrecognized argument" + (source.empty() ? "" : " in " + source) + ": " + a);
            if (!inline_value && i + 1 >= args.size())
                throw Error("--" + name + "." + sub_key + ": expected one argument");
            const std::string v = inline_value ? *inline_value : args[++i];
            Json parsed = Json::parse(v, nullptr, false);
            std::string object;
            try {  // a key or string value that is not UTF-8 cannot become JSON
                object = Json{{sub_key, parsed.is_discarded() ? Json(v) : parsed}}.dump();
            } catch (const nlohmann::json::exception&) {
                throw Error("--" + name + "." + sub_key + ": the key and value must be UTF-8 text");
            }
            jf->apply(c, {object}, true);
            continue;
        }
        bool negated = false;
        const Flag* f = find_flag(name, negated);
        if (!f) throw Error("unrecognized argument" + (source.empty() ? "" : " in " + source) + ": " + a);
        std::vector<std::string> values;
        bool b = !negated;
        if (f->kind == Kind::BOOL) {
            if (inline_value) b = switch_value("--" + name, *inline_value) != negated;
        } else if (inline_value) {
            values.push_back(*inline_value);
        } else if (f->kind == Kind::VALUE) {
            if (i + 1 >= args.size()) throw Error("--" + name + ": expected one argument");
            values.push_back(args[++i]);
        } else {  // MULTI: one or more values up to the next flag
            while (i + 1 < args.size() && !(args[i + 1].size() > 1 && args[i + 1][0] == '-'))
                values.push_back(args[++i]);
            if (values.empty()) throw Error("--" + name + ": expected at least one argument");
        }
        f->apply(c, values, b);
    }
}

void apply_env(ServerConfig& c, const EnvLookup& env) {
    auto get = [&](const char* k) -> std::optional<std::string> {
        const char* v = env(k);
        if (!v || !*v) return std::nullopt;
        return std::string(v);
    };
    if (auto v = get("NIM_MODEL_PATH")) c.model = *v;
    if (auto v = get("NIM_SERVED_MODEL_NAME")) {
        c.served_model_names.clear();
        std::string cur;
        for (char ch : *v + ",") {  // comma-separated list of names
            if (ch == ',') {
                if (!cur.empty()) c.served_model_names.push_back(cur);
                cur.clear();
            } else if (ch != ' ') {
                cur += ch;
            }
        }
    }
    if (auto v = get("NIM_SERVER_PORT"))
        c.port = static_cast<int>(parse_int("NIM_SERVER_PORT", *v, 0, 65535));
    if (auto v = get("NIM_HEALTH_PORT"))
        c.health_port = static_cast<int>(parse_int("NIM_HEALTH_PORT", *v, 0, 65535));
    if (auto v = get("NIM_MAX_MODEL_LEN")) c.max_model_len = parse_model_len(*v);
    if (auto v = get("NIM_LOG_LEVEL")) {
        std::string l = ascii_lower(*v);
        if (l == "default") l = "info";
        c.log_level = l;
    }
    // NIM's CORS variables: lists as JSON arrays or comma-separated words.
    const std::pair<const char*, std::vector<std::string> CorsOptions::*> cors_lists[] = {
        {"NIM_CORS_ALLOW_ORIGINS", &CorsOptions::allowed_origins},
        {"NIM_CORS_ALLOW_METHODS", &CorsOptions::allowed_methods},
        {"NIM_CORS_ALLOW_HEADERS", &CorsOptions::allowed_headers},
        {"NIM_CORS_EXPOSE_HEADERS", &CorsOptions::expose_headers}};
    for (const auto& [name, field] : cors_lists)
        if (auto v = get(name)) c.cors.*field = parse_cors_list(name, *v);
    if (auto v = get("NIM_CORS_MAX_AGE"))
        c.cors.max_age_s = static_cast<int>(parse_int("NIM_CORS_MAX_AGE", *v, 0, 1 << 30));
    if (auto v = get("NIM_JSONL_LOGGING")) c.jsonl_logging = switch_value("NIM_JSONL_LOGGING", *v);
    if (auto v = get("VLLM_ENABLE_RESPONSES_API_STORE"))
        c.enable_responses_store = switch_value("VLLM_ENABLE_RESPONSES_API_STORE", *v);
    if (auto v = get("VLLM_ALLOW_LONG_MAX_MODEL_LEN"))
        c.allow_long_max_model_len = switch_value("VLLM_ALLOW_LONG_MAX_MODEL_LEN", *v);
    if (auto v = get("VLLM_API_KEY")) c.api_key = *v;  // vLLM's fallback for --api-key
    // NIM's TLS: DISABLED (default), TLS (the server's certificate), MTLS (clients must present one too).
    if (auto v = get("NIM_SSL_MODE")) {
        const std::string mode = ascii_lower(*v);
        if (mode != "disabled" && mode != "tls" && mode != "mtls")
            throw Error("NIM_SSL_MODE must be DISABLED, TLS or MTLS, got '" + *v + "'");
        if (mode != "disabled") {
            c.tls.keyfile = get("NIM_SSL_KEY_PATH").value_or("");
            c.tls.certfile = get("NIM_SSL_CERTS_PATH").value_or("");
            if (c.tls.keyfile.empty() || c.tls.certfile.empty())
                throw Error("NIM_SSL_MODE=" + *v + " needs NIM_SSL_KEY_PATH and NIM_SSL_CERTS_PATH");
            c.tls.ca_certs = get("NIM_SSL_CA_CERTS_PATH").value_or("");
            if (mode == "mtls") c.tls.cert_reqs = 2;
        }
    }
    // NIM's switch for prefix caching. Unset keeps it on: agents resend the same system prompt and tools
    // on every call (spec/lessons.md: an unset variable once turned it off for hybrid Nemotron 3).
    if (auto v = get("NIM_ENABLE_KV_CACHE_REUSE"))
        c.cache.enable_prefix_caching = switch_value("NIM_ENABLE_KV_CACHE_REUSE", *v);
    for (const char* k :
         {"VLLM_USE_FLASHINFER_MOE_FP8", "VLLM_USE_FLASHINFER_MOE_FP4", "VLLM_USE_FLASHINFER_SAMPLER",
          "VLLM_ATTENTION_BACKEND", "VLLM_FLASHINFER_MOE_BACKEND", "CUDA_VISIBLE_DEVICES"})
        if (auto v = get(k))
            c.notes.push_back(std::string(k) + "=" + *v + ": not applicable on CPU, ignored");
}

// --speculative-config: only MTP drafting exists (spec/model.md §5); vLLM's `nemotron_h_mtp` and other
// `*_mtp` method names are aliases. Keys that only steer GPU drafters are reported and ignored.
void resolve_speculative_config(ServerConfig& c) {
    const Json& j = c.speculative_config;
    if (j.empty()) return;
    const std::string method =
        j.contains("method") && j["method"].is_string() ? j["method"].get<std::string>() : "";
    if (method != "mtp" && !(method.size() > 4 && method.ends_with("_mtp")))
        throw Error("--speculative-config: method '" + method +
                    "' is not supported (mtp, or an alias such as nemotron_h_mtp)");
    if (!j.contains("num_speculative_tokens") || !j["num_speculative_tokens"].is_number_integer() ||
        j["num_speculative_tokens"].get<int64_t>() < 1 || j["num_speculative_tokens"].get<int64_t>() > 16)
        throw Error("--speculative-config: num_speculative_tokens must be an integer from 1 to 16");
    c.num_speculative_tokens = static_cast<int>(j["num_speculative_tokens"].get<int64_t>());
    for (const auto& [k, x] : j.items())
        if (k != "method" && k != "num_speculative_tokens")
            c.notes.push_back("--speculative-config " + k + ": not applicable on CPU, ignored");
}

}  // namespace

std::optional<int64_t> parse_model_len(const std::string& text) {
    std::string v = text;
    if (v == "auto" || v == "-1") return std::nullopt;
    int64_t mult = 1;
    if (!v.empty()) {
        switch (v.back()) {
            case 'k':
                mult = 1000;
                break;
            case 'K':
                mult = 1024;
                break;
            case 'm':
                mult = 1000000;
                break;
            case 'M':
                mult = 1048576;
                break;
            default:
                break;
        }
        if (mult != 1) v.pop_back();
    }
    return parse_int("--max-model-len", v, 1, INT64_MAX / mult) * mult;
}

ServerConfig parse_server_config(const std::vector<std::string>& args, const EnvLookup& env) {
    ServerConfig c;
    apply_env(c, env);
    if (const char* pass = env("NIM_PASSTHROUGH_ARGS"); pass && *pass)
        apply_args(c, shell_split(pass), "NIM_PASSTHROUGH_ARGS");
    apply_args(c, args, "");
    resolve_speculative_config(c);
    check_tls_options(c.tls);
    static const char* levels[] = {"trace", "debug", "info", "warning", "warn", "error", "critical", "off"};
    if (std::find(std::begin(levels), std::end(levels), c.log_level) == std::end(levels))
        throw Error("log level '" + c.log_level + "' is not one of debug, info, warning, error, critical");
    return c;
}

std::string server_help() {
    std::string s =
        "Usage: hyserve serve [MODEL] [OPTIONS]\n"
        "Serve a model over an OpenAI-compatible HTTP API (vLLM / NIM drop-in).\n\n"
        "Options (also read from NIM_PASSTHROUGH_ARGS; CLI > passthrough > NIM_* env > defaults):\n";
    for (const auto& f : flags()) {
        std::string names;
        for (const auto& n : f.names) names += (names.empty() ? "" : ", ") + std::string("--") + n;
        if (f.kind == Kind::BOOL) names += " / --no-" + f.names.front();
        s += "  " + names + "\n      " + f.help + "\n";
    }
    s += "\nEnvironment: NIM_MODEL_PATH, NIM_SERVED_MODEL_NAME, NIM_SERVER_PORT, NIM_HEALTH_PORT,\n"
         "  NIM_LOG_LEVEL, NIM_MAX_MODEL_LEN, NIM_PASSTHROUGH_ARGS, VLLM_ALLOW_LONG_MAX_MODEL_LEN,\n"
         "  NIM_CACHE_PATH, NIM_ENABLE_KV_CACHE_REUSE, VLLM_ENABLE_RESPONSES_API_STORE, VLLM_API_KEY,\n"
         "  NIM_SSL_MODE, NIM_SSL_KEY_PATH, NIM_SSL_CERTS_PATH, NIM_SSL_CA_CERTS_PATH\n";
    return s;
}

}  // namespace hy::server
