#!/usr/bin/python3
"""Runs the reference on one token sequence, with the interface of `hyserve eval-logits`:

  run.py --model PATH --tokens 1,2,3 [--all-positions] [--top K] [--out FILE] [--trace] [--mtp-next ID]

prints {"n_vocab":V,"positions":[{"pos":i,"top":[[id,logit],…]},…]} (last position unless
--all-positions); --out writes the float32 logits row-major (all positions with --all-positions);
--trace prints, per position and layer, the RMS of the residual stream after that layer, to find the
first layer where an engine departs from the reference; --mtp-next ID also prints the MTP draft top-K of
the last position, given ID as the token after the sequence (spec §5.1)."""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_format import top_k  # noqa: E402
from forward import Sequence, mtp_forward  # noqa: E402
from model_weights import load_model  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="HF model directory or .gguf file")
    ap.add_argument("--tokens", required=True, help="comma-separated token ids")
    ap.add_argument("--all-positions", action="store_true")
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--out", help="write float32 logits here")
    ap.add_argument("--trace", action="store_true", help="print per-layer residual RMS to stderr")
    ap.add_argument("--mtp-next", type=int, help="token following the sequence, for the MTP draft")
    args = ap.parse_args()
    w = load_model(args.model)
    tokens = [int(t) for t in args.tokens.split(",") if t.strip()]
    if not tokens or min(tokens) < 0 or max(tokens) >= w.cfg.V:
        raise SystemExit(f"token ids must be in [0, {w.cfg.V})")
    seq = Sequence(w)
    logits, hidden = [], []
    for pos, tok in enumerate(tokens):
        trace = [] if args.trace else None
        lg, H = seq.step(tok, trace)
        logits.append(lg)
        hidden.append(H)
        if args.trace:
            rms = " ".join(f"{k}{i}:{np.sqrt(np.mean(h * h)):.6g}" for i, (k, h) in enumerate(zip(w.cfg.pattern, trace)))
            print(f"pos {pos}: {rms}", file=sys.stderr)
    logits = np.stack(logits)
    positions = range(len(tokens)) if args.all_positions else [len(tokens) - 1]
    out = {"n_vocab": w.cfg.V, "positions": [{"pos": p, "top": top_k(logits[p], args.top)} for p in positions]}
    if args.mtp_next is not None:
        draft = mtp_forward(w, hidden, tokens[1:] + [args.mtp_next])
        out["mtp_draft_top"] = top_k(draft[-1], args.top)
    print(json.dumps(out))
    if args.out:
        np.asarray(logits[list(positions)], dtype="<f4").tofile(args.out)


if __name__ == "__main__":
    sys.exit(main())
