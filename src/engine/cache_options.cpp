#include "engine/cache_options.h"

#include <algorithm>
#include <cstdio>

#include <unistd.h>

#include "core/error.h"
#include "engine/kv_block_pool.h"
#include "engine/mamba_state_pool.h"

namespace hy {

MambaCacheMode parse_mamba_cache_mode(const std::string& name) {
    if (name == "none") return MambaCacheMode::NONE;
    if (name == "all") return MambaCacheMode::ALL;
    if (name == "align") return MambaCacheMode::ALIGN;
    throw Error("--mamba-cache-mode: expected none, all or align, got \"" + name + "\"");
}

const char* mamba_cache_mode_name(MambaCacheMode m) {
    switch (m) {
        case MambaCacheMode::NONE:
            return "none";
        case MambaCacheMode::ALL:
            return "all";
        case MambaCacheMode::ALIGN:
            break;
    }
    return "align";
}

kernels::KvDtype parse_kv_cache_dtype(const std::string& name) {
    if (name == "auto" || name == "float32" || name == "fp32") return kernels::KvDtype::F32;
    if (name == "bfloat16" || name == "bf16") return kernels::KvDtype::BF16;
    if (name == "fp8" || name == "fp8_e4m3") return kernels::KvDtype::FP8;
    throw Error("--kv-cache-dtype: expected auto, float32, bfloat16, fp8 or fp8_e4m3, got \"" + name + "\"");
}

const char* kv_cache_dtype_name(kernels::KvDtype d) {
    switch (d) {
        case kernels::KvDtype::BF16:
            return "bfloat16";
        case kernels::KvDtype::FP8:
            return "fp8_e4m3";
        case kernels::KvDtype::F32:
            break;
    }
    return "float32";
}

namespace {

int64_t physical_ram() {
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
    return pages > 0 && page > 0 ? static_cast<int64_t>(pages) * page : int64_t{8} << 30;
}

}  // namespace

CachePlan plan_cache(const ModelConfig& cfg, const CacheOptions& opt, int64_t max_num_seqs) {
    if (opt.block_size < 1 || opt.block_size > 4096)
        throw Error("--block-size must be in 1..4096, got " + std::to_string(opt.block_size));
    if (opt.mamba_cache_mode == MambaCacheMode::ALIGN &&
        (opt.snapshot_interval < opt.block_size || opt.snapshot_interval % opt.block_size != 0))
        throw Error("--mamba-cache-interval (" + std::to_string(opt.snapshot_interval) +
                    ") must be a positive multiple of --block-size (" + std::to_string(opt.block_size) + ")");
    CachePlan p;
    const double ram = static_cast<double>(physical_ram());
    const double want = opt.kv_cache_memory > 1.0   ? opt.kv_cache_memory
                        : opt.kv_cache_memory > 0.0 ? opt.kv_cache_memory * ram
                                                    : 0.1 * ram;
    p.budget_bytes = static_cast<int64_t>(want);
    const int64_t n_attn = std::count(cfg.layers.begin(), cfg.layers.end(), LayerKind::ATTENTION);
    p.kv_dtype = opt.kv_dtype;
    p.block_bytes = KvBlockPool::bytes_per_block(
        opt.block_size, n_attn, kernels::kv_row_bytes(opt.kv_dtype, cfg.num_key_value_heads, cfg.head_dim));
    p.slot_bytes = MambaStatePool::bytes_per_slot(cfg);
    const int64_t conv_floats = std::count(cfg.layers.begin(), cfg.layers.end(), LayerKind::MAMBA) *
                                (cfg.conv_kernel - 1) * cfg.conv_channels();
    const int64_t ssm_floats = p.slot_bytes / 4 - conv_floats;
    p.snapshot_bytes = MambaSnapshotStore::bytes_per_snapshot(conv_floats, ssm_floats, opt.ssm_cache.dtype);

    int64_t left = p.budget_bytes;
    p.num_slots =
        std::max<int64_t>(1, std::min<int64_t>(max_num_seqs, left / 2 / std::max<int64_t>(1, p.slot_bytes)));
    left -= p.num_slots * p.slot_bytes;
    if (opt.enable_prefix_caching && opt.mamba_cache_mode != MambaCacheMode::NONE && p.snapshot_bytes > 0) {
        p.num_snapshots =
            static_cast<int64_t>(static_cast<double>(p.budget_bytes) * opt.snapshot_share) / p.snapshot_bytes;
        left -= p.num_snapshots * p.snapshot_bytes;
    }
    // A model without attention layers still counts tokens in blocks (their K/V is empty).
    p.num_blocks = p.block_bytes > 0 ? left / p.block_bytes : 4096;
    if (p.num_blocks < 1)
        throw Error("--kv-cache-memory: " + std::to_string(p.budget_bytes) +
                    " bytes leave no room for a KV block (" + std::to_string(p.block_bytes) +
                    " bytes each) after " + std::to_string(p.num_slots) + " Mamba slots of " +
                    std::to_string(p.slot_bytes) + " bytes");
    p.max_concurrent_seqs = p.num_slots;
    p.max_tokens = p.num_blocks * opt.block_size;
    return p;
}

std::string CachePlan::describe() const {
    char buf[512];
    const double mib = 1.0 / (1 << 20);
    std::snprintf(
        buf, sizeof buf,
        "cache budget %.1f MiB: %lld KV blocks (%s, %.1f KiB each, %lld tokens), %lld Mamba slots (%.2f MiB "
        "each), %lld Mamba snapshots (%.2f MiB each); at most %lld concurrent sequences",
        static_cast<double>(budget_bytes) * mib, static_cast<long long>(num_blocks),
        kv_cache_dtype_name(kv_dtype), static_cast<double>(block_bytes) / 1024.0,
        static_cast<long long>(max_tokens), static_cast<long long>(num_slots),
        static_cast<double>(slot_bytes) * mib, static_cast<long long>(num_snapshots),
        static_cast<double>(snapshot_bytes) * mib, static_cast<long long>(max_concurrent_seqs));
    return buf;
}

}  // namespace hy
