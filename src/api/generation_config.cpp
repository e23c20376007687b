#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/json_fields.h"
#include "api/serving_context.h"

namespace hy::api {

GenerationDefaults load_generation_config(const std::string& path) {
    namespace fs = std::filesystem;
    GenerationDefaults d;
    std::error_code ec;
    fs::path file = fs::is_directory(path, ec) ? fs::path(path) / "generation_config.json" : fs::path(path);
    if (!fs::is_regular_file(file, ec)) return d;
    std::ifstream f(file);
    std::stringstream ss;
    ss << f.rdbuf();
    Json j = Json::parse(ss.str(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw file_error(file.string(), "not a JSON object");
    try {
        d.temperature = opt_number(j, "temperature");
        d.top_p = opt_number(j, "top_p");
        d.min_p = opt_number(j, "min_p");
        d.repetition_penalty = opt_number(j, "repetition_penalty");
        d.top_k = opt_int(j, "top_k");
        d.max_new_tokens = opt_int(j, "max_new_tokens");
        auto eos = j.find("eos_token_id");
        if (eos != j.end() && eos->is_number_integer()) d.eos_token_ids.push_back(eos->get<int32_t>());
        if (eos != j.end() && eos->is_array())
            for (const auto& e : *eos)
                if (e.is_number_integer()) d.eos_token_ids.push_back(e.get<int32_t>());
    } catch (const Error& e) {
        throw file_error(file.string(), e.what());
    }
    return d;
}

}  // namespace hy::api
