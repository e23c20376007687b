"""Reading and writing the reference fixtures (format documented in README.md)."""
import base64
import json

import numpy as np

TOP_K = 20


def encode_rows(rows):
    """[n, V] float -> {"dtype","shape","base64"}: little-endian float32, row-major."""
    rows = np.asarray(rows, dtype="<f4")
    return {"dtype": "float32", "shape": list(rows.shape), "base64": base64.b64encode(rows.tobytes()).decode("ascii")}


def decode_rows(obj):
    if obj["dtype"] != "float32":
        raise ValueError(f"unsupported fixture dtype {obj['dtype']}")
    return np.frombuffer(base64.b64decode(obj["base64"]), dtype="<f4").reshape(obj["shape"]).astype(np.float64)


def top_k(row, k=TOP_K):
    """[[token_id, logit], ...] for the k largest logits, largest first (ties: lower id first);
    logits rounded to float32 like the stored rows."""
    idx = np.lexsort((np.arange(row.size), -row))[:k]
    return [[int(i), float(np.float32(row[i]))] for i in idx]


def load(path):
    with open(path) as f:
        return json.load(f)


def dump(obj, path):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")
