#!/usr/bin/python3
"""Held-out loss of trained checkpoints (to choose between runs): mean cross-entropy on the trained
tokens (assistant turns) of fresh conversations, for the trunk and the MTP head.
  val_loss.py DATA.jsonl TOKDIR CKPTDIR..."""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tokenize_data as TD  # noqa: E402
from train import load_ckpt  # noqa: E402


def main():
    data, tokdir, ckpts = sys.argv[1], sys.argv[2], sys.argv[3:]
    torch.set_num_threads(1)
    docs = [d for d in TD.read_docs(data) if not d.get("prose")][:200]
    tok = TD.tokenize_docs(docs, TD.make_encoder(os.path.join(tokdir, "tokenizer.json")))
    for ck in ckpts:
        model, info = load_ckpt(ck)
        model.eval()
        tot = totm = n = nm = 0.0
        acc = 0
        with torch.no_grad():
            for ids, w in tok:
                x = torch.tensor(ids[:1024].astype("int64"))[None]
                wt = torch.tensor(w[:1024], dtype=torch.float32)[None, 1:]
                lo, ml = model(x)
                ce = F.cross_entropy(lo[0, :-1], x[0, 1:], reduction="none")
                tot += float((ce * wt[0]).sum())
                n += float(wt.sum())
                acc += int(((lo[0, :-1].argmax(-1) == x[0, 1:]).float() * wt[0]).sum())
                cm = F.cross_entropy(ml[0, :-1], x[0, 2:], reduction="none")
                totm += float((cm * wt[0, 1:]).sum())
                nm += float(wt[0, 1:].sum())
        print(f"{ck}: step {info['step']} val loss {tot / n:.4f} (token acc {acc / n:.4f}) mtp loss {totm / nm:.4f}")


if __name__ == "__main__":
    main()
