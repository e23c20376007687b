// Software prefetch into L1, for loops whose next data is known but too far apart in memory (or
// too scattered) for the hardware prefetchers to find in time: a decode step's per-sequence state
// and K/V, which the weights streamed since the last token have evicted to DRAM.
#pragma once

#include <cstdint>

namespace hy::kernels {

// One cache line. Not __builtin_prefetch: GCC's local-pure-const pass counts a function whose only
// effect is __builtin_prefetch as const and then deletes every call to it (GCC 12 compiled
// gemm_f32's and ssm_serial_head's prefetch helpers to nothing); asm volatile stays wherever it is
// written. prefetcht0 also serves writes (prefetchw needs its own CPUID bit).
inline void prefetch_line(const void* p) {
    asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
}

// One cache line that is read once and then not again for a long time: a weight panel, streamed once
// per forward. prefetchnta keeps it out of the (victim) L3 on eviction, where it would push out what
// the next step reads again: a decode step's SSM states and K/V rows and the activations. A 16-sequence
// decode step of the small model took 2.11-2.16 ms against 2.18-2.26 ms with prefetcht0 (session 13);
// one sequence and prefill were level.
inline void prefetch_line_once(const void* p) {
    asm volatile("prefetchnta %0" : : "m"(*static_cast<const char*>(p)));
}

// Every line of the n > 0 bytes at p (which need not start on a line).
inline void prefetch_bytes(const void* p, int64_t n) {
    const uintptr_t first = reinterpret_cast<uintptr_t>(p) & ~uintptr_t{63};
    const uintptr_t last = (reinterpret_cast<uintptr_t>(p) + static_cast<uintptr_t>(n) - 1) & ~uintptr_t{63};
    for (uintptr_t a = first; a <= last; a += 64) prefetch_line(reinterpret_cast<const void*>(a));
}

}  // namespace hy::kernels
