#!/usr/bin/python3
"""MTP head quality (issue 11, verification 3), measured by the PyTorch model: greedy draft acceptance,
i.e. how often the MTP draft for position t+2 (from the final hidden state at t and the token at t+1,
spec/model.md §5.1) equals the main model's greedy token there, over the greedy answers to the
evaluation prompts (eval_prompts.py).

  mtp_acceptance.py CASES.json [--model models/default] [--hyserve build/hyserve] [--max-tokens 96]

Each answer is generated greedily up to <|im_end|>; with --hyserve the candidate comes from `hyserve
generate` and one teacher-forced PyTorch forward keeps only its prefix that is PyTorch's own greedy
output (reported), so the figure is PyTorch's.

It also prints the same drafts counted the way hyserve's speculative decoding (n = 1, greedy) counts
them, which scripts/bench_speculative.sh's first-draft acceptance can be compared with: drafts only where
a verify step starts (after the prefill, answer token 1 emitted, the draft is for token 2; a step's row
0 emits token c+1, an accepted draft is followed by the bonus token c+2), and a step whose row 0 emits
the answer's last token (the stop token, or max_tokens) counts one draft and none accepted, as
scheduler.cpp `verify` does — also shown without those ending steps."""
import argparse
import json
import os
import subprocess
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_data  # noqa: E402
import tokenize_data as TD  # noqa: E402
from hf_io import load_hf  # noqa: E402

IM_END = 11


def step_counts(draft_ok, K):
    """draft_ok[j]: the MTP draft for answer token j (1-based, 2 <= j <= K) equals it; K: answer length.
    Returns (drafts, accepted, ending steps) as hyserve counts them per verify step (see above)."""
    drafts = accepted = ending = 0
    c = 1
    while c < K:
        drafts += 1
        if c + 1 == K:
            ending += 1
            break
        accepted += draft_ok[c + 1]
        c += 2 if draft_ok[c + 1] else 1
    return drafts, accepted, ending


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cases")
    ap.add_argument("--model", default=os.path.join(gen_data.ROOT, "models", "default"))
    ap.add_argument("--hyserve")
    ap.add_argument("--max-tokens", type=int, default=96)
    args = ap.parse_args()
    torch.set_num_threads(1)
    model = load_hf(args.model)
    enc = TD.PyBpe(os.path.join(args.model, "tokenizer.json"))
    tpl = gen_data.load_template()
    cases = json.load(open(args.cases))
    accepted = drafts = agree = generated = 0
    steps = [0, 0, 0]  # hyserve-style drafts, accepted, ending steps
    for c in cases:
        req = c["request"]
        kw = req.get("chat_template_kwargs", {})
        text = tpl.render(messages=req["messages"], tools=req.get("tools"), add_generation_prompt=True,
                          enable_thinking=kw.get("enable_thinking", True))
        ids = enc.encode(text)
        if args.hyserve:
            r = subprocess.run([args.hyserve, "generate", "--model", args.model, "--prompt-tokens",
                                ",".join(map(str, ids)), "--max-tokens", str(args.max_tokens)],
                               check=True, capture_output=True, text=True)
            cand = [int(t) for t in r.stdout.split()]
        else:
            cand = []
            for _ in range(args.max_tokens):
                with torch.no_grad():
                    lo, _ = model(torch.tensor([ids + cand]), mtp=False)
                cand.append(int(lo[0, -1].argmax()))
                if cand[-1] == IM_END:
                    break
        if IM_END in cand:
            cand = cand[:cand.index(IM_END) + 1]
        seq = ids + cand
        with torch.no_grad():
            lo, ml = model(torch.tensor([seq]))
        L = len(ids)
        pred = lo[0, L - 1:-1].argmax(-1).tolist()
        k = next((i for i, (p, t) in enumerate(zip(pred, cand)) if p != t), len(cand))
        agree += k
        generated += len(cand)
        # Draft at t (t = L-1 .. L+k-3) predicts seq[t+2], both inside PyTorch's greedy prefix.
        dr = ml[0].argmax(-1).tolist()
        for t in range(L - 1, L + k - 2):
            drafts += 1
            accepted += dr[t] == seq[t + 2]
        # Answer token j sits at position L + j - 1; its draft is dr[L + j - 3] (PyTorch greedy prefix only).
        d, a, e = step_counts({j: dr[L + j - 3] == seq[L + j - 1] for j in range(2, k + 1)}, k)
        steps = [steps[0] + d, steps[1] + a, steps[2] + e]
    print(f"MTP greedy draft acceptance (PyTorch): {accepted}/{drafts} = {100 * accepted / max(1, drafts):.1f}% "
          f"over {len(cases)} prompts; hyserve/PyTorch greedy agreement {agree}/{generated} tokens")
    d, a, e = steps
    print(f"counted per verify step as hyserve does (n = 1): {a}/{d} = {a / max(1, d):.4f}; "
          f"without the {e} steps that end a request: {a}/{d - e} = {a / max(1, d - e):.4f}")


if __name__ == "__main__":
    main()
