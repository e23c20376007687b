// libFuzzer target for model configuration: arbitrary bytes as a config.json (config_from_hf_text with
// its Infinity/NaN pre-pass, validation), and, for inputs that start like a GGUF file, the GGUF metadata
// path (config_from_gguf). Accepted configs also go through the naming table in both formats and the
// JSON writers, so a config that passes validation but breaks a derived size shows up here.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "model/config_io.h"
#include "model/gguf.h"
#include "model/tensor_names.h"

namespace {

void exercise(const hy::ModelConfig& c) {
    (void)hy::config_to_json(c).dump();
    (void)hy::config_to_hf_json(c).dump();
    for (auto f : {hy::WeightFormat::HF, hy::WeightFormat::GGUF}) {
        try {
            (void)hy::tensor_names(c, f);
        } catch (const hy::Error&) {
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        exercise(hy::config_from_hf_text(std::string_view(reinterpret_cast<const char*>(data), size),
                                         "fuzz.json"));
    } catch (const hy::Error&) {
    }
    if (size >= 4 && std::memcmp(data, "GGUF", 4) == 0) {
        try {
            exercise(hy::config_from_gguf(hy::parse_gguf(data, size, "fuzz.gguf")));
        } catch (const hy::Error&) {
        }
    }
    return 0;
}
