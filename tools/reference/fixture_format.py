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
    logits rounded to float32 like the stored rows, written with the shortest decimal that reads back
    as the same float32."""
    idx = np.lexsort((np.arange(row.size), -row))[:k]
    return [[int(i), float(str(np.float32(row[i])))] for i in idx]


def load(path):
    with open(path) as f:
        return json.load(f)


def _depth(v):
    if isinstance(v, dict):
        return 1 + max((_depth(x) for x in v.values()), default=0)
    if isinstance(v, list):
        return 1 + max((_depth(x) for x in v), default=0)
    return 0


def _format(v, indent):
    """JSON with one line per small value: containers nested at most two deep (a token list, a top-20
    list of [id, logit] pairs, an encoded row) stay on one line, larger ones are broken up."""
    if _depth(v) <= 2:
        return json.dumps(v, separators=(",", ":"))
    pad, inner = " " * indent, " " * (indent + 1)
    if isinstance(v, dict):
        items = [f"{inner}{json.dumps(k)}: {_format(x, indent + 1)}" for k, x in v.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    return "[\n" + ",\n".join(inner + _format(x, indent + 1) for x in v) + "\n" + pad + "]"


def dump(obj, path):
    with open(path, "w") as f:
        f.write(_format(obj, 0) + "\n")
