#include "kernels/isa.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

#include "core/error.h"
#include "kernels/kernel_tables.h"

namespace hy::kernels {

namespace {
std::atomic<int> g_override{-1};

Isa env_cap() {
    const char* e = std::getenv("HYSERVE_ISA");
    if (e == nullptr) return Isa::AVX512;
    if (std::strcmp(e, "scalar") == 0) return Isa::SCALAR;
    if (std::strcmp(e, "avx2") == 0) return Isa::AVX2;
    return Isa::AVX512;
}
}  // namespace

const char* isa_name(Isa isa) {
    switch (isa) {
        case Isa::SCALAR:
            return "scalar";
        case Isa::AVX2:
            return "avx2";
        case Isa::AVX512:
            return "avx512";
    }
    return "?";
}

bool isa_supported(Isa isa) {
    switch (isa) {
        case Isa::SCALAR:
            return true;
        case Isa::AVX2:
            // F16C is not a __builtin_cpu_supports name in clang 14; every AVX2 CPU has it.
            return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        case Isa::AVX512:
            return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                   __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
                   isa_supported(Isa::AVX2);
    }
    return false;
}

Isa best_isa() {
    const int o = g_override.load(std::memory_order_relaxed);
    if (o >= 0) return static_cast<Isa>(o);
    static const Isa best = [] {
        const Isa cap = env_cap();
        for (Isa i : {Isa::AVX512, Isa::AVX2})
            if (static_cast<int>(i) <= static_cast<int>(cap) && isa_supported(i)) return i;
        return Isa::SCALAR;
    }();
    return best;
}

const KernelTable& kernels(Isa isa) {
    HY_ASSERT(isa_supported(isa));
    switch (isa) {
        case Isa::AVX512:
            return table_avx512();
        case Isa::AVX2:
            return table_avx2();
        case Isa::SCALAR:
            break;
    }
    return table_scalar();
}

const KernelTable& kernels() {
    return kernels(best_isa());
}

void set_isa_override(Isa isa) {
    g_override.store(static_cast<int>(isa));
}
void clear_isa_override() {
    g_override.store(-1);
}

}  // namespace hy::kernels
