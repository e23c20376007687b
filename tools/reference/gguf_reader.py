"""Minimal GGUF reader (metadata + F32/F16/BF16/Q8_0 tensors), written for the reference only.

GGUF layout (version 2/3): magic "GGUF", u32 version, u64 tensor count, u64 metadata count,
metadata key/value pairs, tensor infos (name, n_dims, ne[n_dims] innermost first, ggml type, offset),
then the tensor data, starting at the next multiple of `general.alignment` (default 32).
Shapes are returned in PyTorch order, i.e. `ne` reversed (spec/model.md §3: "GGUF dims are listed
innermost-first").
"""
import struct

import numpy as np

from tensor_dtypes import bf16_to_f32

_GGML_F32, _GGML_F16, _GGML_Q8_0, _GGML_BF16 = 0, 1, 8, 30
_Q8_0_BLOCK = np.dtype([("d", "<f2"), ("qs", "i1", 32)])  # ggml block_q8_0: value = d · q, 32 per block

# Metadata value types -> struct format (scalars).
_SCALAR = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9


class GGUFError(Exception):
    pass


class _Cursor:
    def __init__(self, buf, path):
        self.buf, self.pos, self.path = buf, 0, path

    def take(self, n):
        if n < 0 or self.pos + n > len(self.buf):
            raise GGUFError(f"{self.path}: truncated at byte {self.pos}")
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt):
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def string(self):
        return bytes(self.take(self.unpack("<Q"))).decode("utf-8")

    def value(self, vtype):
        if vtype in _SCALAR:
            return self.unpack(_SCALAR[vtype])
        if vtype == _STRING:
            return self.string()
        if vtype == _ARRAY:
            etype, count = self.unpack("<I"), self.unpack("<Q")
            return [self.value(etype) for _ in range(count)]
        raise GGUFError(f"{self.path}: unknown metadata type {vtype} at byte {self.pos}")


def read_gguf(path):
    """Returns (metadata dict, tensors dict name -> float64 numpy array in PyTorch shape order)."""
    with open(path, "rb") as f:
        buf = memoryview(f.read())
    cur = _Cursor(buf, path)
    if bytes(cur.take(4)) != b"GGUF":
        raise GGUFError(f"{path}: not a GGUF file")
    version = cur.unpack("<I")
    if version not in (2, 3):
        raise GGUFError(f"{path}: unsupported GGUF version {version}")
    n_tensors, n_kv = cur.unpack("<Q"), cur.unpack("<Q")
    meta = {}
    for _ in range(n_kv):
        key = cur.string()
        meta[key] = cur.value(cur.unpack("<I"))
    infos = []
    for _ in range(n_tensors):
        name = cur.string()
        ne = [cur.unpack("<Q") for _ in range(cur.unpack("<I"))]
        infos.append((name, ne, cur.unpack("<I"), cur.unpack("<Q")))
    align = int(meta.get("general.alignment", 32))
    data_start = (cur.pos + align - 1) // align * align
    tensors = {}
    for name, ne, gtype, offset in infos:
        count = int(np.prod(ne)) if ne else 1
        start = data_start + offset
        if gtype == _GGML_F32:
            arr = np.frombuffer(buf[start : start + 4 * count], dtype="<f4")
        elif gtype == _GGML_F16:
            arr = np.frombuffer(buf[start : start + 2 * count], dtype="<f2")
        elif gtype == _GGML_Q8_0:
            if count % 32:
                raise GGUFError(f"{path}: tensor {name}: Q8_0 needs a multiple of 32 elements")
            blocks = np.frombuffer(buf[start : start + _Q8_0_BLOCK.itemsize * (count // 32)], dtype=_Q8_0_BLOCK)
            arr = (blocks["d"].astype(np.float64)[:, None] * blocks["qs"]).reshape(-1)
        elif gtype == _GGML_BF16:
            arr = bf16_to_f32(np.frombuffer(buf[start : start + 2 * count], dtype="<u2"))
        else:
            raise GGUFError(f"{path}: tensor {name}: ggml type {gtype} not supported by the reference")
        if arr.size != count:
            raise GGUFError(f"{path}: tensor {name}: data runs past the end of the file")
        tensors[name] = arr.astype(np.float64).reshape(list(reversed(ne)))
    return meta, tensors
