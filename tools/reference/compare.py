#!/usr/bin/python3
"""Compares hyserve's logits with a reference fixture (tests/data/reference/<model-id>.json).

For every sequence of the fixture it runs
  hyserve eval-logits --model MODEL --tokens ... --all-positions --out FILE [--chunks ...]
reads FILE ([T, V] float32, row-major) and prints, per position, the relative L2 distance: over the
full row where the fixture stores it, else over the fixture's top-20 logits (hyserve's values at the
same token ids). Exits non-zero if any distance exceeds --tol (default 1e-5).

MODEL is a directory made with the fixture's `generator` command (make_fixtures.py --keep-models, or
tests/scripts/reference_fixtures.sh, which does all of this).

With --live the reference is recomputed for MODEL (any dtype or format, e.g. a `--dtype bf16` GGUF
copy) instead of read from the fixture, which then only supplies the token sequences; every position
is compared over the full row."""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture_format as ff  # noqa: E402


def hyserve_logits(hyserve, model, tokens, n_vocab, chunks=None):
    with tempfile.NamedTemporaryFile(suffix=".f32") as out:
        cmd = [hyserve, "eval-logits", "--model", model, "--tokens", ",".join(map(str, tokens)),
               "--all-positions", "--out", out.name]
        if chunks:
            cmd += ["--chunks", ",".join(map(str, chunks))]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        data = np.fromfile(out.name, dtype="<f4").astype(np.float64)
    if data.size != len(tokens) * n_vocab:
        raise ValueError(f"eval-logits wrote {data.size} floats, expected {len(tokens)} x {n_vocab}")
    return data.reshape(len(tokens), n_vocab)


def rel_l2(a, b):
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def live_reference(model):
    """fixture sequence -> {position: reference row} computed now for `model`."""
    from forward import forward
    from model_weights import load_model

    weights = load_model(model)
    return lambda seq: dict(enumerate(forward(weights, seq["tokens"])[0]))


def stored_reference(seq):
    return dict(zip(seq["full_positions"], ff.decode_rows(seq["logits_full"])))


def check(fixture, hyserve, model, tol, chunked, quiet=False, reference=stored_reference):
    """Returns the worst distance over all positions of all sequences."""
    worst = 0.0
    for s, seq in enumerate(fixture["sequences"]):
        tokens = seq["tokens"]
        # Uneven prefill chunks also exercise state carry-over (issue 3, self-consistency).
        chunks = None
        if chunked and len(tokens) >= 3:
            chunks = [len(tokens) // 3, len(tokens) - len(tokens) // 3 - 1, 1]
        try:
            got = hyserve_logits(hyserve, model, tokens, fixture["n_vocab"], chunks)
        except (subprocess.CalledProcessError, ValueError) as e:
            print(f"seq {s} (chunks {chunks}): FAIL: {e}")
            worst = float("inf")
            continue
        full = reference(seq)
        for p, top in enumerate(seq["top"]):
            if p in full:
                d, what = rel_l2(got[p], full[p]), "full row"
            else:
                ids = [i for i, _ in top]
                d, what = rel_l2(got[p][ids], np.array([v for _, v in top])), "top-20"
            worst = max(worst, d)
            if not quiet or d > tol:
                flag = "" if d <= tol else "  FAIL"
                print(f"seq {s} pos {p:2d} ({what}): rel L2 {d:.3e}{flag}")
    return worst


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("fixture")
    ap.add_argument("--model", required=True, help="model directory matching the fixture")
    ap.add_argument("--hyserve", default=os.environ.get("HYSERVE_BIN", "build/hyserve"))
    ap.add_argument("--tol", type=float, default=1e-5)
    ap.add_argument("--chunks", action="store_true", help="also feed each sequence as 3 uneven prefill chunks")
    ap.add_argument("--quiet", action="store_true", help="print only failing positions and the summary")
    ap.add_argument("--live", action="store_true", help="recompute the reference for MODEL (see above)")
    args = ap.parse_args()
    fx = ff.load(args.fixture)
    ref = live_reference(args.model) if args.live else stored_reference
    worst = check(fx, args.hyserve, args.model, args.tol, False, args.quiet, ref)
    if args.chunks:
        worst = max(worst, check(fx, args.hyserve, args.model, args.tol, True, args.quiet, ref))
    ok = worst <= args.tol
    what = f"{os.path.basename(args.fixture)}" + (f" tokens, live reference of {args.model}" if args.live else "")
    print(f"{what}: worst rel L2 {worst:.3e} (tol {args.tol:g}) {'ok' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
