// The tiny generated test model for engine tests: one model directory per process (ctest runs the
// tests of a file as parallel processes); weights are memory-mapped, so the directory can go as soon
// as they are loaded.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "engine/engine.h"
#include "model/model_weights.h"

namespace hy::test {

inline const ModelWeights& tiny_engine_model() {
    static const ModelWeights w = [] {
        const auto dir =
            std::filesystem::temp_directory_path() / ("hyserve-engine-test-" + std::to_string(::getpid()));
        const std::string cmd =
            std::string(HYSERVE_BINARY) + " make-test-model " + dir.string() + " --preset tiny > /dev/null";
        if (std::system(cmd.c_str()) != 0) throw std::runtime_error("make-test-model failed");
        ModelWeights m = load_model(dir.string());
        std::filesystem::remove_all(dir);
        return m;
    }();
    return w;
}

struct Collected {
    std::vector<int32_t> tokens;
    std::vector<std::vector<float>> logprobs;  // full rows when top_logprobs = vocabulary size
    FinishReason finish = FinishReason::NONE;
    int64_t cached_tokens = -1;
    int events = 0;
};

inline Collected collect(const std::shared_ptr<RequestStream>& s) {
    Collected c;
    for (;;) {
        TokenEvent ev;
        if (!s->pop(ev, std::chrono::milliseconds(60000))) break;
        ++c.events;
        if (ev.cached_tokens >= 0) c.cached_tokens = ev.cached_tokens;
        if (ev.token >= 0) c.tokens.push_back(ev.token);
        if (!ev.top.empty()) {
            std::vector<float> row(ev.top.size());
            for (const auto& t : ev.top) row[static_cast<size_t>(t.token)] = t.logprob;
            c.logprobs.push_back(std::move(row));
        }
        if (ev.finish != FinishReason::NONE) {
            c.finish = ev.finish;
            break;
        }
    }
    return c;
}

inline GenerationRequest greedy(std::vector<int32_t> prompt, int64_t max_tokens) {
    GenerationRequest r;
    r.prompt = std::move(prompt);
    r.sampling.max_tokens = max_tokens;
    r.sampling.temperature = 0.0;
    return r;
}

// Token ids 3..2000 (inside the tiny vocabulary, clear of the special ids).
inline std::vector<int32_t> random_prompt(std::mt19937& rng, int64_t n) {
    std::uniform_int_distribution<int32_t> d(3, 2000);
    std::vector<int32_t> v(static_cast<size_t>(n));
    for (auto& t : v) t = d(rng);
    return v;
}

// ||a − b|| / ||b|| over two logprob rows.
inline double rel_l2_rows(const std::vector<float>& a, const std::vector<float>& b) {
    double d = 0, n = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        d += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
        n += static_cast<double>(b[i]) * b[i];
    }
    return std::sqrt(d / n);
}

// Waits until the engine has nothing running or waiting (its pools can then be read).
inline void drain(const Engine& e) {
    for (int i = 0; i < 6000; ++i) {
        const EngineStats s = e.stats();
        if (s.running == 0 && s.waiting == 0) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

}  // namespace hy::test
