// libFuzzer target for the GGUF reader: parse the input in memory, then touch everything the parser
// promised is valid (every metadata value through its accessors, every tensor byte), so an accepted
// file that lies about its bounds shows up as an out-of-bounds read under ASan.
#include <cstddef>
#include <cstdint>

#include "core/error.h"
#include "model/dequant.h"
#include "model/gguf.h"

namespace {

volatile float g_sink;

void touch(const hy::GgufValue& v) {
    try {
        if (v.is_array()) {
            const size_t n = v.size();
            for (size_t i = 0; i < n && i < 64; ++i) touch(v.at(i));
            if (v.array_type() == hy::GgufType::STRING)
                (void)v.as_string_array();
            else if (v.array_type() != hy::GgufType::ARRAY)
                (void)v.as_float_array();
        } else if (v.is_string()) {
            (void)v.as_string();
        } else if (v.is_bool()) {
            (void)v.as_bool();
        } else {
            (void)v.as_float();
            if (v.is_int()) (void)v.as_uint();
        }
        (void)v.to_string();
    } catch (const hy::Error&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        const hy::GgufFile f = hy::parse_gguf(data, size, "fuzz.gguf");
        for (const auto& [k, v] : f.metadata) touch(v);
        float acc = 0.0f;
        float buf[256];
        for (const hy::TensorView& t : f.tensors) {
            // Dequantise the first and the last block-aligned chunk: reads the tensor's two ends.
            const int64_t n = t.numel();
            const int64_t blk = hy::dtype_info(t.dtype).block_elems;
            if (n == 0) continue;
            const int64_t chunk = n < 256 ? n : 256;
            const int64_t c = chunk / blk * blk;
            if (c == 0) continue;
            hy::dequantize_row(t.dtype, t.data, buf, c);
            acc += buf[0];
            const uint64_t tail = hy::dtype_bytes(t.dtype, static_cast<uint64_t>(c));
            hy::dequantize_row(t.dtype, t.data + t.nbytes - tail, buf, c);
            acc += buf[c - 1];
        }
        g_sink = acc;
    } catch (const hy::Error&) {
    }
    return 0;
}
