#!/usr/bin/python3
"""Issue 11, check 4: two evaluations of the default model's skills side by side, e.g. the committed
model and a from-scratch rerun of the recipe, each written by
`EVAL_RESULTS=F MODEL=DIR scripts/eval_default_model.sh N` on the same prompts (same N: the cases
come from one seed). Prints one row per skill and secondary measure (JSON exact match, well-formed
tool calls) with both pass rates and their difference in points; exits 1 when a difference exceeds
--max-diff (the issue's ±3 points).

  compare_evals.py COMMITTED.json RERUN.json [--max-diff 3]"""
import argparse
import json
import sys
from collections import OrderedDict


def rates(path):
    """{measure: [passed, n]} in the order the skills appear; a measure is a skill's `ok` or one of its
    boolean `extra` fields (`json exact`)."""
    out = OrderedDict()
    for case in json.load(open(path)):
        skill = case["skill"]
        measures = [(skill, bool(case["ok"]))]
        measures += [(f"{skill} {k}", bool(v)) for k, v in (case.get("extra") or {}).items()
                     if isinstance(v, bool)]
        for name, passed in measures:
            row = out.setdefault(name, [0, 0])
            row[0] += passed
            row[1] += 1
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a", help="results JSON of the reference run (e.g. the committed model)")
    ap.add_argument("b", help="results JSON of the run compared with it (e.g. the rerun)")
    ap.add_argument("--max-diff", type=float, default=3.0, help="largest allowed difference, in points")
    args = ap.parse_args()
    a, b = rates(args.a), rates(args.b)
    if list(a) != list(b) or any(a[k][1] != b[k][1] for k in a):
        sys.exit("the two results files hold different cases: evaluate both with the same N and SKILLS")
    print("| measure | n | reference | compared | difference (points) |")
    print("|---|---:|---:|---:|---:|")
    worst = 0.0
    for name, (pa, n) in a.items():
        pb = b[name][0]
        diff = 100.0 * (pb - pa) / n
        worst = max(worst, abs(diff))
        print(f"| {name} | {n} | {100.0 * pa / n:.1f}% | {100.0 * pb / n:.1f}% | {diff:+.1f} |")
    verdict = "within" if worst <= args.max_diff else "outside"
    print(f"largest difference {worst:.1f} points: {verdict} ±{args.max_diff:g}")
    sys.exit(0 if worst <= args.max_diff else 1)


if __name__ == "__main__":
    main()
