// Bytes of weights a forward pass reads, for roofline figures (issue 10: "GB/s of weights read").
// Decode (one token) reads every matrix outside the routed experts once, top-k experts per MoE layer
// and one embedding row; prefill reads every matrix once per call, since all rows share each weight.
#pragma once

#include <cstdint>

#include "model/model_weights.h"

namespace hy {

struct WeightTraffic {
    uint64_t total_bytes = 0;             // every tensor of the trunk (embeddings and head included)
    uint64_t decode_bytes_per_token = 0;  // what one decoded token streams from memory
    int64_t total_params = 0;
    int64_t active_params = 0;  // per decoded token, counted like decode_bytes_per_token
};

// Trunk only (the MTP block is not run by a plain decode step).
WeightTraffic weight_traffic(const ModelWeights& w);

}  // namespace hy
