#!/usr/bin/python3
"""MTP speculative decoding on a live server set (issue 11 item 3; docs/engine.md "Speculative decoding").

Sends the same greedy chat requests to several servers, interleaved (server 0, 1, 2, ... for each
case, so load changes hit all of them alike), streaming, one request at a time. Reports per server:
outputs equal to the first server's, decode tok/s (tokens after the first / time from first to last
token), and for servers with speculation the draft acceptance from their /metrics counters (the
floor --min-acceptance applies to the first draft of each step).

  bench_speculative.py CASES_JSON NAME=URL [NAME=URL ...] [--max-tokens N] [--min-acceptance X]
Exit status 1 when an output differs from the first server's or an acceptance is below the floor.
"""
import argparse
import json
import re
import sys
import time
import urllib.request


def post_stream(url, body):
    req = urllib.request.Request(url + "/v1/chat/completions", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    text, times, usage = [], [], None
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=600) as resp:
        for raw in resp:
            line = raw.decode().strip()
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if chunk.get("usage"):
                usage = chunk["usage"]
            for ch in chunk.get("choices", []):
                d = ch.get("delta", {})
                piece = (d.get("reasoning_content") or "") + (d.get("content") or "")
                if d.get("tool_calls"):  # call ids are random: compare everything else
                    piece += json.dumps([{k: v for k, v in t.items() if k != "id"} for t in d["tool_calls"]])
                if piece:
                    times.append(time.perf_counter())
                    text.append(piece)
    return "".join(text), times, usage, time.perf_counter() - t0


def metric(url, name):
    body = urllib.request.urlopen(url + "/metrics", timeout=60).read().decode()
    out = {}
    for line in body.splitlines():
        m = re.match(r'^' + re.escape(name) + r'(\{[^}]*\})? ([0-9.e+]+)$', line)
        if m:
            pos = re.search(r'position="(\d+)"', m.group(1) or "")
            out[int(pos.group(1)) if pos else -1] = float(m.group(2))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cases")
    ap.add_argument("servers", nargs="+")
    ap.add_argument("--max-tokens", type=int, default=0, help="override each case's max_tokens")
    ap.add_argument("--min-acceptance", type=float, default=0.0)
    a = ap.parse_args()
    cases = json.load(open(a.cases))
    servers = [s.split("=", 1) for s in a.servers]
    served = {}
    for name, url in servers:
        served[name] = json.load(urllib.request.urlopen(url + "/v1/models"))["data"][0]["id"]
    counters = ("vllm:spec_decode_num_drafts_total", "vllm:spec_decode_num_draft_tokens_total",
                "vllm:spec_decode_num_accepted_tokens_total")
    pos_counter = "vllm:spec_decode_num_accepted_tokens_per_pos_total"

    def read(url):
        return [metric(url, c).get(-1, 0) for c in counters] + [metric(url, pos_counter).get(0, 0)]

    base = {name: read(url) for name, url in servers}
    stats = {name: {"tokens": 0, "seconds": 0.0, "same": 0, "all_tokens": 0, "wall": 0.0} for name, _ in servers}
    failures = 0
    for i, c in enumerate(cases):
        body = dict(c["request"])
        body["temperature"] = 0
        if a.max_tokens:
            body["max_tokens"] = a.max_tokens
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
        ref = None
        for name, url in servers:
            body["model"] = served[name]
            text, times, usage, wall = post_stream(url, body)
            n = usage["completion_tokens"] if usage else len(times)
            stats[name]["all_tokens"] += n
            stats[name]["wall"] += wall
            if len(times) >= 2 and n >= 2:
                stats[name]["tokens"] += n - 1
                stats[name]["seconds"] += times[-1] - times[0]
            if ref is None:
                ref = text
            if text == ref:
                stats[name]["same"] += 1
            else:
                failures += 1
                print(f"case {i} ({c.get('skill')}): {name} differs:\n  {ref!r}\n  {text!r}", file=sys.stderr)
    print(f"{len(cases)} greedy chat requests per server, interleaved, one at a time")
    print("| server | same output as first | output tok/s (request wall time) | decode tok/s (first to last chunk) | steps with drafts | draft tokens | accepted | "
          "acceptance (all drafts) | first-draft acceptance | accepted per position |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, url in servers:
        s = stats[name]
        now = read(url)
        steps, drafts, acc, first = (now[k] - base[name][k] for k in range(4))
        per = metric(url, pos_counter)
        rate = acc / drafts if drafts else float("nan")
        # The first draft is what the MTP head was trained for (issue 11: "draft equals the main
        # model's next greedy token"); later ones feed its own output back in (spec §5.1).
        first_rate = first / steps if steps else float("nan")
        per_txt = " ".join(f"{int(per[k])}" for k in sorted(per)) if per else "-"
        tps = s["tokens"] / s["seconds"] if s["seconds"] else float("nan")
        wall_tps = s["all_tokens"] / s["wall"] if s["wall"] else float("nan")
        print(f"| {name} | {s['same']}/{len(cases)} | {wall_tps:.1f} | {tps:.1f} | {int(steps)} | {int(drafts)} | {int(acc)} | "
              f"{rate:.4f} | {first_rate:.4f} | {per_txt} |")
        if steps and first_rate < a.min_acceptance:
            print(f"{name}: first-draft acceptance {first_rate:.4f} below the floor {a.min_acceptance}",
                  file=sys.stderr)
            failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
