#!/usr/bin/python3
"""Fixture for tests/scripts/default_model_fidelity.sh (issue 11, verification 1): the PyTorch model's
last-position logits and greedy 128-token continuations for 20 held-out prompts, computed from the
COMMITTED files (models/default, bf16 weights widened to fp32, fp32 arithmetic).

  make_fidelity_fixture.py [--model models/default] [--hyserve build/hyserve] [--out tests/data/default_model]

Greedy continuations: a candidate is taken from `hyserve generate` when --hyserve is given (fast) and
then checked by ONE teacher-forced PyTorch forward: if PyTorch's argmax at every position equals the
next token, the candidate is exactly PyTorch's own greedy continuation. At the first position where it
is not, PyTorch continues token by token on its own, so the fixture is PyTorch's greedy output
either way. Held-out prompts come from gen_data's conversation builder with a seed training never used.

  make_fidelity_fixture.py --mtp-only [--model ...] [--out ...]

writes the MTP part from the committed fidelity.json: PyTorch's teacher-forced MTP logits (spec/model.md
§5.1: row t from H_t and token t+1, predicting token t+2) over prompt + greedy continuation of a few
prompts — the argmax and top-2 margin of every row in fidelity_mtp.json and full rows at every
MTP_STRIDE-th position (and the last) in fidelity_mtp_logits.f32, to keep the fixture small."""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_data  # noqa: E402
import skills as S  # noqa: E402
import tokenize_data as TD  # noqa: E402
from hf_io import load_hf  # noqa: E402

N_PROMPTS, N_GEN, SEED = 20, 128, 4242
MTP_PROMPTS, MTP_STRIDE = (2, 3, 8), 32  # short prompts: 149-167 positions with their continuations


def write_mtp_fixture(model, out):
    f = json.load(open(os.path.join(out, "fidelity.json")))
    rows, entries = [], []
    for i in MTP_PROMPTS:
        seq = f["prompts"][i] + f["greedy"][i]
        with torch.no_grad():
            _, ml = model(torch.tensor([seq]))
        ml = ml[0]
        top2 = torch.topk(ml, 2, dim=-1).values
        keep = sorted(set(range(0, ml.shape[0], MTP_STRIDE)) | {ml.shape[0] - 1})
        rows.append(ml[keep].numpy().astype("<f4"))
        entries.append({"prompt": i, "tokens": seq, "argmax": ml.argmax(-1).tolist(),
                        "margin": [round(float(m), 6) for m in (top2[:, 0] - top2[:, 1])], "rows": keep})
    np.concatenate(rows).tofile(os.path.join(out, "fidelity_mtp_logits.f32"))
    with open(os.path.join(out, "fidelity_mtp.json"), "w") as fo:
        json.dump({"about": "PyTorch (tools/train/model.py) teacher-forced MTP logits on models/default over "
                            "prompt + greedy continuation (row t predicts token t+2): argmax and top-2 margin of "
                            "every row; full fp32 rows `rows` of each sequence in fidelity_mtp_logits.f32 "
                            "(concatenated in order); regenerate with make_fidelity_fixture.py --mtp-only",
                   "vocab": int(rows[0].shape[1]), "sequences": entries}, fo)
        fo.write("\n")
    print(f"MTP fixture: {len(entries)} sequences, {sum(len(r) for r in rows)} full rows")


def held_out_prompts(tpl, n, seed):
    """Conversations cut before their last assistant turn, rendered with the generation prompt."""
    rng = S.new_rng(seed)
    out = []
    while len(out) < n:
        msgs, tools = gen_data.conversation(rng)
        last_user = max(i for i, m in enumerate(msgs) if m["role"] in ("user", "tool"))
        msgs = msgs[:last_user + 1]
        think = rng.random() < 0.7
        out.append(tpl.render(messages=msgs, tools=tools or None, add_generation_prompt=True, enable_thinking=think))
    return out


def greedy_check(model, ids, cand):
    """Length of the prefix of `cand` that is PyTorch's greedy continuation of `ids`."""
    x = torch.tensor([ids + cand])
    with torch.no_grad():
        lo, _ = model(x, mtp=False)
    pred = lo[0, len(ids) - 1:-1].argmax(-1).tolist()
    for i, (p, c) in enumerate(zip(pred, cand)):
        if p != c:
            return i
    return len(cand)


def greedy(model, ids, n, cand=None):
    seq = list(cand or [])
    if seq:
        seq = seq[:greedy_check(model, ids, seq)]
    while len(seq) < n:
        with torch.no_grad():
            lo, _ = model(torch.tensor([ids + seq]), mtp=False)
        seq.append(int(lo[0, -1].argmax()))
    return seq[:n]


def main():
    root = gen_data.ROOT
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(root, "models", "default"))
    ap.add_argument("--hyserve")
    ap.add_argument("--out", default=os.path.join(root, "tests", "data", "default_model"))
    ap.add_argument("--mtp-only", action="store_true", help="write only the MTP fixture (from fidelity.json)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    model = load_hf(args.model)
    if args.mtp_only:
        write_mtp_fixture(model, args.out)
        return
    enc = TD.PyBpe(os.path.join(args.model, "tokenizer.json"))
    prompts = [enc.encode(t) for t in held_out_prompts(gen_data.load_template(), N_PROMPTS, SEED)]
    logits, conts, verified = [], [], 0
    for ids in prompts:
        with torch.no_grad():
            lo, _ = model(torch.tensor([ids]), mtp=False)
        logits.append(lo[0, -1].numpy().astype("<f4"))
        cand = None
        if args.hyserve:
            r = subprocess.run([args.hyserve, "generate", "--model", args.model, "--prompt-tokens",
                                ",".join(map(str, ids)), "--max-tokens", str(N_GEN)],
                               check=True, capture_output=True, text=True)
            cand = [int(t) for t in r.stdout.split()]
        seq = greedy(model, ids, N_GEN, cand)
        verified += cand is not None and seq == cand
        conts.append(seq)
    os.makedirs(args.out, exist_ok=True)
    np.stack(logits).tofile(os.path.join(args.out, "fidelity_logits.f32"))
    with open(os.path.join(args.out, "fidelity.json"), "w") as f:
        json.dump({"about": "PyTorch (tools/train/model.py) on models/default: last-position fp32 logits of each "
                            "prompt in fidelity_logits.f32 (row-major [prompt, vocab]) and greedy continuations; "
                            "regenerate with tools/train/make_fidelity_fixture.py",
                   "vocab": int(logits[0].shape[0]), "prompts": prompts, "greedy": conts}, f)
        f.write("\n")
    print(f"{len(prompts)} prompts ({min(map(len, prompts))}-{max(map(len, prompts))} tokens), "
          f"{N_GEN} greedy tokens each; hyserve candidates equal to PyTorch greedy: {verified}/{len(prompts)}")


if __name__ == "__main__":
    main()
