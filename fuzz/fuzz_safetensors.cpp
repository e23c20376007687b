// libFuzzer target for the safetensors header parser: parse the input in memory, then read every
// tensor's first and last element, so an accepted file that lies about its bounds shows up under ASan.
#include <cstddef>
#include <cstdint>

#include "core/error.h"
#include "model/dequant.h"
#include "model/safetensors.h"

namespace {
volatile float g_sink;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        const hy::SafetensorsArchive ar = hy::parse_safetensors(data, size, "fuzz.safetensors");
        float acc = 0.0f;
        for (const hy::TensorView& t : ar.tensors) {
            if (t.numel() == 0) continue;
            const uint64_t es = hy::dtype_info(t.dtype).block_bytes;
            float v;
            hy::dequantize_row(t.dtype, t.data, &v, 1);
            acc += v * t.scale;
            hy::dequantize_row(t.dtype, t.data + t.nbytes - es, &v, 1);
            acc += v;
            (void)ar.find(t.name);
        }
        for (const auto& [k, v] : ar.metadata) acc += static_cast<float>(k.size() + v.size());
        g_sink = acc;
    } catch (const hy::Error&) {
    }
    return 0;
}
