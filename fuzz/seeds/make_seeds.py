#!/usr/bin/env python3
"""Writes the fuzz seed corpora fuzz/seeds/{gguf,safetensors}/: a few tiny valid files.

Pure standard library, written independently of the C++ writers (so the reader is also checked against
a second implementation of the formats). Run from anywhere: python3 fuzz/seeds/make_seeds.py
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

# GGUF value types
U8, I8, U16, I16, U32, I32, F32, BOOL, STR, ARR, U64, I64, F64 = range(13)
FMT = {U8: "<B", I8: "<b", U16: "<H", I16: "<h", U32: "<I", I32: "<i", F32: "<f", BOOL: "<?",
       U64: "<Q", I64: "<q", F64: "<d"}
# ggml tensor types: id, block elements, block bytes
GGML = {"F32": (0, 1, 4), "F16": (1, 1, 2), "Q4_0": (2, 32, 18), "Q8_0": (8, 32, 34), "Q4_K": (12, 256, 144),
        "Q6_K": (14, 256, 210), "I32": (26, 1, 4), "BF16": (30, 1, 2)}


def gstr(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def gval(t, v):
    if t == STR:
        return gstr(v)
    if t == ARR:
        et, items = v
        out = struct.pack("<IQ", et, len(items))
        return out + b"".join(gval(et, x) for x in items)
    return struct.pack(FMT[t], v)


def gguf(kvs, tensors, align=32):
    """kvs: [(key, type, value)]; tensors: [(name, ne (innermost first), type name, data bytes)]."""
    out = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kvs))
    for k, t, v in kvs:
        out += gstr(k) + struct.pack("<I", t) + gval(t, v)
    off = 0
    for name, ne, tn, data in tensors:
        out += gstr(name) + struct.pack("<I", len(ne)) + b"".join(struct.pack("<Q", d) for d in ne)
        out += struct.pack("<IQ", GGML[tn][0], off)
        off += (len(data) + align - 1) // align * align
    out += b"\0" * (-len(out) % align)
    for _, _, _, data in tensors:
        out += data + b"\0" * (-len(data) % align)
    return out


def st(tensors, metadata=None):
    """tensors: [(name, dtype, shape, data bytes)]"""
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    off = 0
    for name, dt, shape, data in tensors:
        header[name] = {"dtype": dt, "shape": shape, "data_offsets": [off, off + len(data)]}
        off += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(d for _, _, _, d in tensors)


def f32s(*v):
    return struct.pack("<%df" % len(v), *v)


def write(sub, name, data):
    with open(os.path.join(HERE, sub, name), "wb") as f:
        f.write(data)


def main():
    os.makedirs(os.path.join(HERE, "gguf"), exist_ok=True)
    os.makedirs(os.path.join(HERE, "safetensors"), exist_ok=True)
    every_kv = [("general.architecture", STR, "nemotron_h"), ("u8", U8, 7), ("i8", I8, -7), ("u16", U16, 700),
                ("i16", I16, -700), ("u32", U32, 70000), ("i32", I32, -70000), ("f32", F32, 0.5),
                ("bool", BOOL, True), ("u64", U64, 1 << 40), ("i64", I64, -(1 << 40)), ("f64", F64, 0.25),
                ("tokens", ARR, (STR, ["a", "b", "<think>"])), ("types", ARR, (I32, [1, 1, 3])),
                ("scores", ARR, (F32, [0.0, -1.0])), ("nested", ARR, (ARR, [(U8, [1, 2]), (STR, ["x"])]))]
    write("gguf", "every_kv.gguf", gguf(every_kv, []))
    blocks = [
        ("f32", [4, 2], "F32", f32s(*range(8))),
        ("f16", [4], "F16", struct.pack("<4H", 0x3C00, 0x4000, 0xC000, 0)),
        ("bf16", [2], "BF16", struct.pack("<2H", 0x3F80, 0xC000)),
        ("q8_0", [32], "Q8_0", struct.pack("<H", 0x3800) + bytes(range(32))),
        ("q4_0", [32], "Q4_0", struct.pack("<H", 0x4000) + bytes(range(0, 256, 16))),
        ("q4_k", [256], "Q4_K", struct.pack("<HH", 0x3C00, 0x3800) + bytes(range(12)) + bytes(range(128))),
        ("q6_k", [256], "Q6_K", bytes(range(128)) + bytes([0xE4] * 64) + bytes(range(16)) + struct.pack("<H", 0x3400)),
        ("i32", [3], "I32", struct.pack("<3i", 1, -2, 3)),
        ("scalar", [], "F32", f32s(1.0)),
    ]
    write("gguf", "every_type.gguf", gguf([("general.architecture", STR, "test")], blocks))
    write("gguf", "align64.gguf",
          gguf([("general.alignment", U32, 64)], [("a", [3], "F32", f32s(1, 2, 3)), ("b", [1], "F32", f32s(4))],
               align=64))
    write("gguf", "minimal.gguf", gguf([], [("w", [2, 2], "F32", f32s(1, 2, 3, 4))]))

    bf = lambda *v: b"".join(struct.pack("<f", x)[2:] for x in v)  # noqa: E731 (truncating is exact here)
    write("safetensors", "dtypes.safetensors", st([
        ("a", "F32", [2, 2], f32s(1, 2, 3, 4)), ("b", "F16", [2], struct.pack("<2H", 0x3C00, 0xC000)),
        ("c", "BF16", [2], bf(1.0, -2.0)), ("d", "F8_E4M3", [2], bytes([0x38, 0x40])),
        ("e", "I64", [1], struct.pack("<q", -5)), ("f", "BOOL", [2], bytes([1, 0])),
        ("g", "F64", [], struct.pack("<d", 0.5)), ("h", "U8", [0, 3], b""),
    ], {"format": "pt"}))
    write("safetensors", "fp8_scale.safetensors", st([
        ("x.weight", "F8_E4M3", [2, 2], bytes([0x38, 0x40, 0xB8, 0])), ("x.weight_scale", "F32", [], f32s(0.5)),
        ("x.input_scale", "F32", [1], f32s(2.0)),
    ]))
    write("safetensors", "metadata_only.safetensors", st([], {"format": "pt", "k": "v"}))
    write("safetensors", "empty.safetensors", st([]))


if __name__ == "__main__":
    main()
