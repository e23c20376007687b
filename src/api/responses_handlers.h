// The Responses API endpoints (spec/api.md §5, issue 7): POST /v1/responses, GET and DELETE
// /v1/responses/{id}, POST /v1/responses/{id}/cancel. `store` is null when the store is off
// (`store: true` is then treated as false, as vLLM does without VLLM_ENABLE_RESPONSES_API_STORE).
#pragma once

#include <string>

#include "api/api_response.h"
#include "api/serving_context.h"
#include "store/response_store.h"

namespace hy::api {

ApiResponse handle_responses(ServingContext& ctx, store::ResponseStore* store, const std::string& body);
ApiResponse handle_get_response(store::ResponseStore* store, const std::string& id);
ApiResponse handle_delete_response(store::ResponseStore* store, const std::string& id);
ApiResponse handle_cancel_response(store::ResponseStore* store, const std::string& id);

}  // namespace hy::api
