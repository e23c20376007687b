"""Minimal safetensors reader: u64 header length, JSON header {name: {dtype, shape, data_offsets}},
then the raw little-endian data. Supports F32, F16, BF16 (and F64)."""
import json
import struct

import numpy as np

from tensor_dtypes import bf16_to_f32


class SafetensorsError(Exception):
    pass


def read_safetensors(path):
    """Returns dict name -> float64 numpy array in the stored (PyTorch) shape."""
    with open(path, "rb") as f:
        buf = memoryview(f.read())
    if len(buf) < 8:
        raise SafetensorsError(f"{path}: too short")
    hlen = struct.unpack("<Q", buf[:8])[0]
    if 8 + hlen > len(buf):
        raise SafetensorsError(f"{path}: header length {hlen} past end of file")
    header = json.loads(bytes(buf[8 : 8 + hlen]).decode("utf-8"))
    data = buf[8 + hlen :]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        if not 0 <= begin <= end <= len(data):
            raise SafetensorsError(f"{path}: tensor {name}: data_offsets out of range")
        raw = data[begin:end]
        dtype = info["dtype"]
        if dtype == "F32":
            arr = np.frombuffer(raw, dtype="<f4")
        elif dtype == "F64":
            arr = np.frombuffer(raw, dtype="<f8")
        elif dtype == "F16":
            arr = np.frombuffer(raw, dtype="<f2")
        elif dtype == "BF16":
            arr = bf16_to_f32(np.frombuffer(raw, dtype="<u2"))
        else:
            raise SafetensorsError(f"{path}: tensor {name}: dtype {dtype} not supported by the reference")
        shape = [int(s) for s in info["shape"]]
        if arr.size != int(np.prod(shape)):
            raise SafetensorsError(f"{path}: tensor {name}: {arr.size} elements for shape {shape}")
        out[name] = arr.astype(np.float64).reshape(shape)
    return out
