// Deterministic weights of the test models; the rules are listed in model/test_model.h.
#include <cmath>
#include <cstring>

#include "model/tensor_names.h"
#include "model/test_model.h"

namespace hy {

namespace {

// splitmix64: tiny, fast and fully specified, so every platform produces the same stream.
struct SplitMix64 {
    uint64_t state;
    uint64_t next() {
        uint64_t z = (state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
    // Box-Muller in double precision, one value per call (the second is dropped: simpler, no state).
    double normal() {
        double u1 = uniform(), u2 = uniform();
        if (u1 < 1e-300) u1 = 1e-300;
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
    }
};

// FNV-1a of the logical name: one independent stream per tensor.
uint64_t name_hash(const std::string& s) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char ch : s) h = (h ^ ch) * 0x100000001b3ull;
    return h;
}

bool ends_with(const std::string& s, const char* suf) {
    size_t n = std::strlen(suf);
    return s.size() >= n && s.compare(s.size() - n, n, suf) == 0;
}

std::vector<float> generate(const TensorName& t, uint64_t seed) {
    SplitMix64 rng{seed * 0x9e3779b97f4a7c15ull ^ name_hash(t.logical)};
    int64_t n = 1;
    for (int64_t d : t.shape) n *= d;
    std::vector<float> v(static_cast<size_t>(n));
    auto fill = [&](auto f) {
        for (float& x : v) x = static_cast<float>(f());
    };
    const std::string& name = t.logical;
    if (!t.is_vector) {
        // Embeddings N(0, 1/D); every other matrix N(0, 1/fan_in) with fan_in = the inner dimension.
        const double std = 1.0 / std::sqrt(static_cast<double>(t.shape.back()));
        fill([&] { return std * rng.normal(); });
    } else if (ends_with(name, "mamba.A")) {
        fill([&] { return std::log(1.0 + 15.0 * rng.uniform()); });  // A_log = log U[1, 16]
    } else if (ends_with(name, "mamba.dt_bias")) {
        fill([&] {
            const double dt = std::exp(std::log(1e-3) + (std::log(1e-1) - std::log(1e-3)) * rng.uniform());
            return std::log(std::expm1(dt));  // softplus^-1
        });
    } else if (ends_with(name, "mamba.conv_weight")) {
        const double std = 1.0 / std::sqrt(static_cast<double>(t.shape.back()));
        fill([&] { return std * rng.normal(); });
    } else if (ends_with(name, "mamba.conv_bias")) {
        fill([&] { return 0.1 * rng.normal(); });
    } else if (ends_with(name, "moe.score_bias")) {
        fill([&] { return 0.05 * rng.normal(); });
    } else {  // norms (all of them) and the Mamba D skip
        fill([&] { return 1.0 + 0.1 * rng.normal(); });
    }
    return v;
}

}  // namespace

std::vector<GeneratedTensor> generate_test_weights(const ModelConfig& c, uint64_t seed) {
    std::vector<GeneratedTensor> out;
    for (const TensorName& t : tensor_names(c, WeightFormat::HF))
        out.push_back({t.logical, generate(t, seed)});
    return out;
}

}  // namespace hy
