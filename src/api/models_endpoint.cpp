// GET /v1/models (spec/api.md §7): one card per served name, with the effective context length.
#include "api/openai_format.h"
#include "api/openai_handlers.h"

namespace hy::api {

ApiResponse handle_models(const ServingContext& ctx) {
    const int64_t now = unix_now();
    OJson data = OJson::array();
    for (const auto& name : ctx.served_names) {
        OJson perm = {{"id", "modelperm-" + random_hex(32)},
                      {"object", "model_permission"},
                      {"created", now},
                      {"allow_create_engine", false},
                      {"allow_sampling", true},
                      {"allow_logprobs", true},
                      {"allow_search_indices", false},
                      {"allow_view", true},
                      {"allow_fine_tuning", false},
                      {"organization", "*"},
                      {"group", nullptr},
                      {"is_blocking", false}};
        data.push_back({{"id", name},
                        {"object", "model"},
                        {"created", now},
                        {"owned_by", "vllm"},
                        {"root", ctx.model_root},
                        {"parent", nullptr},
                        {"max_model_len", ctx.max_model_len},
                        {"permission", OJson::array({perm})}});
    }
    ApiResponse r;
    r.body = dump(OJson{{"object", "list"}, {"data", data}});
    return r;
}

}  // namespace hy::api
