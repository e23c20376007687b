// Memory and prefix-cache settings of the engine (issue 6 "Memory", server flags in
// server/server_config.*), and how one byte budget is split between KV blocks, Mamba state slots and
// Mamba snapshots (plan_cache).
#pragma once

#include <cstdint>
#include <string>

#include "engine/mamba_snapshot_store.h"
#include "kernels/attention.h"
#include "model/model_config.h"

namespace hy {

// --mamba-cache-mode: which token boundaries get a Mamba snapshot (a KV prefix hit needs one).
//   none:  no snapshots — prefix caching cannot resume a hybrid model, every prompt is computed;
//   all:   every block boundary;
//   align: the last block boundary of every prompt and every `snapshot_interval` tokens (the default).
enum class MambaCacheMode { NONE, ALL, ALIGN };
MambaCacheMode parse_mamba_cache_mode(const std::string& name);  // throws hy::Error
const char* mamba_cache_mode_name(MambaCacheMode m);

// --kv-cache-dtype auto|float32|bfloat16|fp8|fp8_e4m3 (kernels/kv_convert.h). vLLM's `auto` is the
// model's compute dtype; ours is always fp32 (activations are fp32 whatever the weights), so auto = fp32.
kernels::KvDtype parse_kv_cache_dtype(const std::string& name);  // throws hy::Error
const char* kv_cache_dtype_name(kernels::KvDtype d);             // vLLM's spelling: auto, bfloat16, fp8_e4m3

struct CacheOptions {
    int64_t block_size = 64;                            // tokens per KV block (--block-size)
    kernels::KvDtype kv_dtype = kernels::KvDtype::F32;  // --kv-cache-dtype
    double kv_cache_memory = 0.0;  // bytes when > 1, a fraction of physical RAM when in (0, 1]; 0 = 10 %
    bool enable_prefix_caching = true;
    MambaCacheMode mamba_cache_mode = MambaCacheMode::ALIGN;
    int64_t snapshot_interval = 256;  // tokens between snapshots in align mode; a multiple of block_size
    double snapshot_share = 0.1;      // of the budget, for snapshots (when prefix caching is on)
    SnapshotRounding ssm_cache;       // --mamba-ssm-cache-dtype, stochastic rounding, Philox rounds
    std::string conv_state_layout;  // VLLM_SSM_CONV_STATE_LAYOUT as given (logged; our layout is [K−1, Cd])
};

struct CachePlan {
    int64_t budget_bytes = 0;
    int64_t num_blocks = 0;
    int64_t num_slots = 0;
    int64_t num_snapshots = 0;
    int64_t block_bytes = 0, slot_bytes = 0, snapshot_bytes = 0;
    int64_t max_concurrent_seqs = 0;  // = slots
    int64_t max_tokens = 0;           // tokens whose K/V fit at once (blocks × block_size)
    kernels::KvDtype kv_dtype = kernels::KvDtype::F32;
    std::string describe() const;  // one startup log line
};

// Splits the budget: Mamba slots for up to max_num_seqs sequences (at most half the budget), the
// snapshot share, the rest KV blocks. Throws hy::Error when not even one sequence fits.
CachePlan plan_cache(const ModelConfig& cfg, const CacheOptions& opt, int64_t max_num_seqs);

}  // namespace hy
