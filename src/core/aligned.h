// Storage on 64-byte (cache-line) boundaries for the buffers the vector kernels read and write whole
// vectors of: SSM and conv states, K/V pages. glibc's `new float[]` and std::vector give 16 bytes,
// which can put every 512-bit load and store of such a buffer across two lines.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <vector>

namespace hy {

inline constexpr std::size_t kCacheLine = 64;

template <class T>
struct CacheAlignedAllocator {
    using value_type = T;
    CacheAlignedAllocator() = default;
    template <class U>
    CacheAlignedAllocator(const CacheAlignedAllocator<U>&) {}  // rebinding converts implicitly
    T* allocate(std::size_t n) {
        return static_cast<T*>(::operator new (n * sizeof(T), std::align_val_t{kCacheLine}));
    }
    void deallocate(T* p, std::size_t) { ::operator delete (p, std::align_val_t{kCacheLine}); }
    template <class U>
    bool operator==(const CacheAlignedAllocator<U>&) const {
        return true;
    }
};

// A vector whose data() starts a cache line (its elements are value-initialized, as std::vector's).
template <class T>
using AlignedVector = std::vector<T, CacheAlignedAllocator<T>>;

struct CacheAlignedDelete {
    void operator()(void* p) const { ::operator delete (p, std::align_val_t{kCacheLine}); }
};

// An array of n uninitialized T starting a cache line, like `new T[n]` (large ones are mapped lazily:
// pages nobody writes cost nothing).
template <class T>
using AlignedArray = std::unique_ptr<T[], CacheAlignedDelete>;

template <class T>
AlignedArray<T> make_aligned_array(std::size_t n) {
    return AlignedArray<T>(static_cast<T*>(::operator new (n * sizeof(T), std::align_val_t{kCacheLine})));
}

}  // namespace hy
