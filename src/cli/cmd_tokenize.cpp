// `hyserve tokenize` and `hyserve detokenize` (issue 4), plus load_tokenizer(): the glue from a path
// (tokenizer.json, a model directory or a .gguf) to a tokenizer. The GGUF reader lives in model/, so the
// conversion of tokenizer.ggml.* into the tokenizer module's plain GgufVocab happens here.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "core/error.h"
#include "model/gguf.h"
#include "tokenizer/stream_decoder.h"
#include "tokenizer/tokenizer.h"

namespace hy::cli {

namespace {

tok::GgufVocab gguf_vocab(const GgufFile& g) {
    tok::GgufVocab v;
    auto str = [&](const char* key, std::string& out) {
        if (const GgufValue* x = g.find(key)) out = x->as_string();
    };
    auto id = [&](const char* key, int32_t& out) {
        if (const GgufValue* x = g.find(key)) out = static_cast<int32_t>(x->as_int());
    };
    auto flag = [&](const char* key) -> std::optional<bool> {
        if (const GgufValue* x = g.find(key)) return x->as_bool();
        return std::nullopt;
    };
    v.model = g.get("tokenizer.ggml.model").as_string();
    str("tokenizer.ggml.pre", v.pre);
    v.tokens = g.get("tokenizer.ggml.tokens").as_string_array();
    if (const GgufValue* x = g.find("tokenizer.ggml.merges")) v.merges = x->as_string_array();
    if (const GgufValue* x = g.find("tokenizer.ggml.token_type"))
        for (int64_t t : x->as_int_array()) v.token_types.push_back(static_cast<int32_t>(t));
    if (const GgufValue* x = g.find("tokenizer.ggml.scores"))
        for (double s : x->as_float_array()) v.scores.push_back(static_cast<float>(s));
    id("tokenizer.ggml.bos_token_id", v.bos_id);
    id("tokenizer.ggml.eos_token_id", v.eos_id);
    id("tokenizer.ggml.unknown_token_id", v.unk_id);
    id("tokenizer.ggml.padding_token_id", v.pad_id);
    v.add_bos = flag("tokenizer.ggml.add_bos_token");
    v.add_eos = flag("tokenizer.ggml.add_eos_token");
    if (auto f = flag("tokenizer.ggml.add_space_prefix")) v.add_space_prefix = *f;
    str("tokenizer.chat_template", v.chat_template);
    return v;
}

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw Error(path + ": cannot open");
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

// "1,2,3" -> ids; throws naming --ids for anything else.
std::vector<int32_t> parse_ids(const std::string& text) {
    std::vector<int32_t> ids;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        size_t used = 0;
        long long v = 0;
        try {
            v = std::stoll(item, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != item.size() || v < 0 || v > INT32_MAX)
            throw Error("--ids: \"" + item + "\" is not a token id");
        ids.push_back(static_cast<int32_t>(v));
    }
    return ids;
}

void print_json_line(const nlohmann::json& j) {
    std::string s = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    s += '\n';
    std::fwrite(s.data(), 1, s.size(), stdout);
}

}  // namespace

std::shared_ptr<tok::Tokenizer> load_tokenizer(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_regular_file(path, ec) && fs::path(path).extension() == ".gguf") {
        GgufFile g = open_gguf(path);
        return tok::Tokenizer::from_gguf(gguf_vocab(g), path);
    }
    if (fs::is_directory(path, ec) && !fs::exists(fs::path(path) / "tokenizer.json", ec)) {
        for (const auto& e : fs::directory_iterator(path, ec))
            if (e.path().extension() == ".gguf") return load_tokenizer(e.path().string());
    }
    return tok::Tokenizer::from_file(path);
}

void register_tokenize(CLI::App& app) {
    struct Opts {
        std::string tokenizer, text, file;
        bool jsonl = false, no_special = false, time = false;
        int repeat = 1;
    };
    auto o = std::make_shared<Opts>();
    auto* cmd = app.add_subcommand("tokenize", "Turn text into token ids");
    cmd->add_option(
        "--tokenizer", o->tokenizer,
        "tokenizer.json, a model directory or a .gguf file (default: the embedded default model)");
    cmd->add_flag(
        "--jsonl", o->jsonl,
        "read lines {\"text\":..., \"add_special_tokens\":bool} from stdin, write {\"ids\":[...]} per line");
    cmd->add_option("--text", o->text, "text to tokenize (prints {\"ids\":[...]})");
    cmd->add_option("--file", o->file, "tokenize the contents of this file");
    cmd->add_flag("--no-special", o->no_special, "do not add the post-processor's special tokens (BOS/EOS)");
    cmd->add_flag("--time", o->time, "report the encode time on stderr (load time excluded)");
    cmd->add_option("--repeat", o->repeat, "with --time: encode this many times, report each run")
        ->check(CLI::Range(1, 1000));
    cmd->callback([o] {
        auto tk = load_tokenizer(o->tokenizer.empty() ? default_model_path() : o->tokenizer);
        if (o->jsonl) {
            std::string line;
            double secs = 0;
            while (std::getline(std::cin, line)) {
                if (line.empty()) continue;
                nlohmann::json req;
                try {
                    req = nlohmann::json::parse(line);
                } catch (const nlohmann::json::exception& e) {
                    print_json_line({{"error", std::string("invalid JSON line: ") + e.what()}});
                    continue;
                }
                if (!req.is_object() || !req.contains("text") || !req["text"].is_string()) {
                    print_json_line({{"error", "expected {\"text\": string, \"add_special_tokens\": bool}"}});
                    continue;
                }
                bool add = !req.contains("add_special_tokens") || req["add_special_tokens"] != false;
                auto t0 = std::chrono::steady_clock::now();
                auto ids = tk->encode(req["text"].get_ref<const std::string&>(), add);
                secs += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                print_json_line({{"ids", ids}});
            }
            if (o->time) std::fprintf(stderr, "encode seconds: %.6f\n", secs);
            return;
        }
        std::string text = o->file.empty() ? o->text : read_file(o->file);
        std::vector<int32_t> ids;
        for (int r = 0; r < o->repeat; ++r) {
            auto t0 = std::chrono::steady_clock::now();
            ids = tk->encode(text, !o->no_special);
            double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            if (o->time)
                std::fprintf(stderr, "encoded %zu bytes into %zu tokens in %.6f s (%.2f MB/s)\n", text.size(),
                             ids.size(), secs, text.size() / secs / 1e6);
        }
        print_json_line({{"ids", ids}});
    });
}

void register_detokenize(CLI::App& app) {
    struct Opts {
        std::string tokenizer, ids;
        bool jsonl = false, skip_special = false;
    };
    auto o = std::make_shared<Opts>();
    auto* cmd = app.add_subcommand("detokenize", "Turn token ids into text");
    cmd->add_option(
        "--tokenizer", o->tokenizer,
        "tokenizer.json, a model directory or a .gguf file (default: the embedded default model)");
    cmd->add_option("--ids", o->ids, "comma-separated token ids");
    cmd->add_flag("--skip-special", o->skip_special, "leave out special tokens");
    cmd->add_flag(
        "--jsonl", o->jsonl,
        "read lines {\"ids\":[...], \"skip_special_tokens\":bool, \"stream\":bool} from stdin, write "
        "{\"text\":...} per line (and \"streamed\": the incremental detokenizer's output when stream is "
        "true)");
    cmd->callback([o] {
        auto tk = load_tokenizer(o->tokenizer.empty() ? default_model_path() : o->tokenizer);
        if (o->jsonl) {
            std::string line;
            while (std::getline(std::cin, line)) {
                if (line.empty()) continue;
                try {
                    auto req = nlohmann::json::parse(line);
                    std::vector<int32_t> ids = req.at("ids").get<std::vector<int32_t>>();
                    bool skip = req.value("skip_special_tokens", false);
                    nlohmann::json out = {{"text", tk->decode(ids, skip)}};
                    if (req.value("stream", false)) {
                        // Also decode id by id as a streaming response would, for the oracle test.
                        tok::StreamDecoder sd(tk, skip);
                        std::string streamed;
                        for (int32_t id : ids) streamed += sd.push(id);
                        out["streamed"] = streamed + sd.flush();
                    }
                    print_json_line(out);
                } catch (const nlohmann::json::exception& e) {
                    print_json_line({{"error", std::string("bad request line: ") + e.what()}});
                }
            }
            return;
        }
        std::vector<int32_t> ids = o->ids.empty() ? std::vector<int32_t>{} : parse_ids(o->ids);
        std::string text = tk->decode(ids, o->skip_special);
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fputc('\n', stdout);
    });
}

}  // namespace hy::cli
