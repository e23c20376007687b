#!/usr/bin/python3
"""Writes the reference fixtures tests/data/reference/<model-id>.json for the project's own test models.

For each model variant it runs `hyserve make-test-model` (deterministic) into a temporary directory,
loads the HF output with this reference and records, for a few fixed token sequences, the float64
reference logits (stored as float32) and the MTP draft logits. See README.md for the file format.

  make_fixtures.py --hyserve build/hyserve --out tests/data/reference          # (re)write fixtures
  make_fixtures.py --hyserve build/hyserve --out /tmp/x --check tests/data/reference   # + compare
"""
import argparse
import hashlib
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture_format as ff  # noqa: E402
from forward import forward, mtp_forward  # noqa: E402
from model_weights import load_model  # noqa: E402

# The model variants (id -> make-test-model options).
MODELS = {
    "tiny-s1": {"preset": "tiny", "seed": 1, "format": "hf", "latent": False},
    "tiny-latent-s1": {"preset": "tiny", "seed": 1, "format": "hf", "latent": True},
}
SEQUENCE_LENGTHS = (6, 17, 40)
TOKEN_SEED = 20261126  # token ids come from numpy's default_rng(TOKEN_SEED), within [0, V)
# Positions whose full logit row is stored (all others: top-20 only), to keep fixtures small.
FULL_ROWS = {6: [0, 1, 2, 3, 4, 5], 17: [0, 4, 8, 12, 16], 40: [0, 9, 19, 29, 39]}


def generator_args(opts, out_dir):
    args = ["make-test-model", out_dir, "--preset", opts["preset"], "--seed", str(opts["seed"]),
            "--format", opts["format"]]
    return args + (["--latent"] if opts["latent"] else [])


def make_model(hyserve, opts, out_dir):
    subprocess.run([hyserve] + generator_args(opts, out_dir), check=True, stdout=subprocess.DEVNULL)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def token_sequences(vocab):
    rng = np.random.default_rng(TOKEN_SEED)
    return [rng.integers(0, vocab, size=n).tolist() for n in SEQUENCE_LENGTHS]


def fixture_for(model_dir, opts, version):
    w = load_model(model_dir)
    seqs = []
    for tokens in token_sequences(w.cfg.V):
        logits, hidden = forward(w, tokens)
        full = FULL_ROWS[len(tokens)]
        seq = {
            "tokens": tokens,
            "full_positions": full,
            "logits_full": ff.encode_rows(logits[full]),
            "top": [ff.top_k(row) for row in logits],
        }
        if w.mtp is not None:
            # §5.1: MTP over the prompt with tokens shifted by one, last slot = the greedy next token.
            next_token = int(np.argmax(logits[-1]))
            draft = mtp_forward(w, hidden, tokens[1:] + [next_token])
            seq["mtp"] = {
                "next_token": next_token,
                "draft_top": [ff.top_k(row) for row in draft],
                "draft_logits_last": ff.encode_rows(draft[-1:]),
            }
        seqs.append(seq)
    files = sorted(f for f in os.listdir(model_dir) if f in ("config.json", "model.safetensors"))
    return {
        "format_version": 1,
        "model": opts,
        "generator": "hyserve " + " ".join(generator_args(opts, "OUTDIR")),
        "hyserve_version_of_generator": version,
        "model_sha256": {f: sha256(os.path.join(model_dir, f)) for f in files},
        "reference": "tools/reference (float64 NumPy, token-serial, spec/model.md §2 and §5)",
        "n_vocab": w.cfg.V,
        "layer_pattern": w.cfg.pattern,
        "mtp_pattern": w.cfg.mtp_pattern,
        "sequences": seqs,
    }


def gguf_agrees(hyserve, opts, fixture, gguf_dir, tol=1e-6):
    """The same model written as GGUF must give the reference the same logits as the HF files (only
    A = −exp(A_log) is rounded differently: GGUF stores A in float32). Checks every sequence's stored
    full rows; returns a list of differences."""
    make_model(hyserve, dict(opts, format="gguf"), gguf_dir)
    w = load_model(os.path.join(gguf_dir, "model.gguf"))
    diffs = []
    for s, seq in enumerate(fixture["sequences"]):
        logits, _ = forward(w, seq["tokens"])
        want = ff.decode_rows(seq["logits_full"])
        got = logits[seq["full_positions"]]
        d = float(np.linalg.norm(got - want) / np.linalg.norm(want))
        if d > tol:
            diffs.append(f"GGUF vs HF of {fixture['generator']}: sequence {s}: rel L2 {d:.2e} > {tol:g}")
    return diffs


def compare_fixtures(new, old, name, rtol=1e-6):
    """Regenerated vs committed fixture. Values are float32 roundings of float64 results, so the BLAS
    of another machine may move the last float32 bit: compare within rtol, ids exactly except where
    neighbouring logits tie within rtol. Returns a list of differences (empty = same)."""
    diffs = []
    for key in ("format_version", "model", "model_sha256", "n_vocab", "layer_pattern", "mtp_pattern"):
        if new.get(key) != old.get(key):
            diffs.append(f"{name}: {key} differs: {new.get(key)} vs {old.get(key)}")
    if len(new["sequences"]) != len(old["sequences"]):
        return diffs + [f"{name}: number of sequences differs"]

    def close_rows(a, b, what):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape or not np.allclose(a, b, rtol=rtol, atol=rtol):
            diffs.append(f"{name}: {what} differ")

    def close_tops(ta, tb, what):
        for p, (x, y) in enumerate(zip(ta, tb)):
            va, vb = [v for _, v in x], [v for _, v in y]
            close_rows(va, vb, f"{what} values at position {p}")
            for j, (ia, ib) in enumerate(zip([i for i, _ in x], [i for i, _ in y])):
                near = [v for v in va[max(0, j - 1) : j + 2] if abs(v - va[j]) <= rtol * max(1, abs(va[j]))]
                if ia != ib and len(near) < 2:
                    diffs.append(f"{name}: {what} ids at position {p} differ")
                    break
        if len(ta) != len(tb):
            diffs.append(f"{name}: {what}: number of positions differs")

    for s, (a, b) in enumerate(zip(new["sequences"], old["sequences"])):
        if a["tokens"] != b["tokens"] or a["full_positions"] != b["full_positions"]:
            diffs.append(f"{name}: sequence {s}: tokens or full_positions differ")
            continue
        close_rows(ff.decode_rows(a["logits_full"]), ff.decode_rows(b["logits_full"]), f"sequence {s} full rows")
        close_tops(a["top"], b["top"], f"sequence {s} top-20")
        if ("mtp" in a) != ("mtp" in b):
            diffs.append(f"{name}: sequence {s}: mtp present in only one")
        elif "mtp" in a:
            if a["mtp"]["next_token"] != b["mtp"]["next_token"]:
                diffs.append(f"{name}: sequence {s}: mtp next_token differs")
            close_rows(ff.decode_rows(a["mtp"]["draft_logits_last"]), ff.decode_rows(b["mtp"]["draft_logits_last"]),
                       f"sequence {s} mtp draft row")
            close_tops(a["mtp"]["draft_top"], b["mtp"]["draft_top"], f"sequence {s} mtp top-20")
    return diffs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hyserve", required=True, help="the hyserve binary that generates the models")
    ap.add_argument("--out", required=True, help="directory to write <model-id>.json into")
    ap.add_argument("--check", help="directory of committed fixtures to compare the new ones with")
    ap.add_argument("--keep-models", help="also keep the generated model directories here")
    ap.add_argument("--check-gguf", action="store_true",
                    help="also generate each model as GGUF and check the reference reads the same logits")
    args = ap.parse_args()
    version = subprocess.run([args.hyserve, "version"], check=True, capture_output=True, text=True).stdout.strip()
    os.makedirs(args.out, exist_ok=True)
    failures = []
    with tempfile.TemporaryDirectory(prefix="hy-ref-") as tmp:
        for model_id, opts in MODELS.items():
            model_dir = os.path.join(args.keep_models or tmp, model_id)
            make_model(args.hyserve, opts, model_dir)
            fx = fixture_for(model_dir, opts, version)
            out = os.path.join(args.out, model_id + ".json")
            ff.dump(fx, out)
            print(f"wrote {out} ({os.path.getsize(out)} bytes)")
            if args.check_gguf:
                diffs = gguf_agrees(args.hyserve, opts, fx, os.path.join(tmp, model_id + "-gguf"))
                failures += diffs
                print(f"{model_id}: GGUF copy gives the reference the same logits: {'no' if diffs else 'yes'}")
            if args.check:
                old_path = os.path.join(args.check, model_id + ".json")
                if not os.path.exists(old_path):
                    failures.append(f"{old_path}: missing")
                    continue
                failures += compare_fixtures(fx, ff.load(old_path), old_path)
    for f in failures:
        print("FAIL:", f)
    if args.check and not failures:
        print("committed fixtures are current")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
