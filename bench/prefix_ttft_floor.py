#!/usr/bin/env python3
"""The multiply-add floor under issue 6's cached-prefix target (docs/engine.md, session 17).

A cached-prefix TTFT is set by the multiply-adds its step runs. If every kernel runs at the same
fraction of the machine's peak, warm TTFT / cold TTFT equals the ratio of their multiply-add counts.
A faster implementation can only beat that ratio by doing the warm turn's arithmetic at a higher
efficiency than the cold prompt's, or by doing it in cheaper instructions, for example bf16 dot
products, which do two products per lane.

Counted per prompt token: every matrix of the model's safetensors files (each routed expert weighted
by num_experts_per_tok / n_routed_experts), the depthwise conv, and the SSM recurrence (3 multiply-adds
per state element: decay, input, readout). Counted per query-key pair, for each attention layer:
2 x num_attention_heads x head_dim (Q.K and P.V). The MTP layers, the embedding lookup and the
lm_head (one row of logits per request in both cases) are left out.

Usage: prefix_ttft_floor.py MODEL_DIR [--prompt-len 8192] [--cached 7900]
"""
import argparse
import glob
import json
import math
import os
import struct
import sys


def safetensors_shapes(model_dir):
    shapes = {}
    files = sorted(glob.glob(os.path.join(model_dir, "*.safetensors")))
    if not files:
        sys.exit(f"{model_dir}: no *.safetensors files")
    for path in files:
        with open(path, "rb") as f:
            (size,) = struct.unpack("<Q", f.read(8))
            header = json.loads(f.read(size))
        header.pop("__metadata__", None)
        shapes.update({name: info["shape"] for name, info in header.items()})
    return shapes


def layer_kinds(config):
    pattern = config.get("hybrid_override_pattern")
    if pattern is None:
        names = {"mamba": "M", "attention": "*", "moe": "E", "mlp": "-"}
        pattern = "".join(names[kind] for kind in config["layers_block_type"])
    return pattern


def per_token_multiply_adds(config, shapes):
    """Returns (matmuls, conv, ssm) multiply-adds for one prompt token."""
    routed_share = config.get("num_experts_per_tok", 0) / max(config.get("n_routed_experts", 1), 1)
    matmuls = conv = 0.0
    for name, shape in shapes.items():
        if name.startswith("mtp.") or "embeddings" in name or name.startswith("lm_head"):
            continue
        count = math.prod(shape)
        if "conv1d.weight" in name:
            conv += count  # depthwise: one multiply-add per channel and tap
        elif len(shape) >= 2:
            matmuls += count * (routed_share if ".experts." in name else 1.0)
    mamba_layers = layer_kinds(config).count("M")
    state = config["mamba_num_heads"] * config["mamba_head_dim"] * config["ssm_state_size"]
    return matmuls, conv, 3.0 * state * mamba_layers


def per_pair_multiply_adds(config):
    heads = config["num_attention_heads"]
    head_dim = config.get("head_dim") or config["hidden_size"] // heads
    return 2 * heads * head_dim * layer_kinds(config).count("*")


def causal_pairs(first, last):
    """Query-key pairs of the queries at positions first+1..last (1-based), each seeing all before it."""
    return (last * (last + 1) - first * (first + 1)) // 2


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dir")
    parser.add_argument("--prompt-len", type=int, default=8192)
    parser.add_argument("--cached", type=int, default=7900)
    args = parser.parse_args()
    if not 0 <= args.cached < args.prompt_len:
        sys.exit("--cached must be in [0, --prompt-len)")
    with open(os.path.join(args.model_dir, "config.json")) as f:
        config = json.load(f)
    matmuls, conv, ssm = per_token_multiply_adds(config, safetensors_shapes(args.model_dir))
    token = matmuls + conv + ssm
    pair = per_pair_multiply_adds(config)
    new = args.prompt_len - args.cached

    def cost(tokens, pairs, attention_weight=1.0):
        return tokens * token + pairs * pair * attention_weight

    cold_pairs = causal_pairs(0, args.prompt_len)
    warm_pairs = causal_pairs(args.cached, args.prompt_len)
    cold, warm = cost(args.prompt_len, cold_pairs), cost(new, warm_pairs)
    print(f"model: {args.model_dir}")
    print(f"per token: {token / 1e6:.3f}M multiply-adds (matmuls {matmuls / 1e6:.3f}M, "
          f"conv {conv / 1e3:.1f}K, SSM recurrence {ssm / 1e3:.1f}K)")
    print(f"per query-key pair: {pair} multiply-adds")
    print(f"cold {args.prompt_len}-token prompt: {cold / 1e9:.2f}G multiply-adds "
          f"(attention {100 * cold_pairs * pair / cold:.1f}%)")
    print(f"warm: {new} new tokens after {args.cached} cached: {warm / 1e9:.3f}G multiply-adds "
          f"(attention {100 * warm_pairs * pair / warm:.1f}%)")
    print(f"warm / cold: {100 * warm / cold:.2f}%")
    half = cost(new, warm_pairs, 0.5) / cost(args.prompt_len, cold_pairs, 0.5)
    print(f"warm / cold with attention at half cost per multiply-add (bf16 dot products): {100 * half:.2f}%")


if __name__ == "__main__":
    main()
