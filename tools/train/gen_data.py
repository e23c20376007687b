#!/usr/bin/python3
"""Synthetic training conversations for the default model (issue 11), rendered with the model's own
chat template (assets/templates/nemotron3.jinja through Jinja2 set up like HF's apply_chat_template),
so the training text is byte for byte what `hyserve serve` renders for the same request.

  gen_data.py --n 200000 --seed 1 --out data.jsonl.xz [--prose-frac 0.03]

Each output line is {"text": ...} (a whole rendered conversation, or a prose passage with
"prose": true). Deterministic in --seed."""
import argparse
import gzip
import json
import lzma
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import skills as S  # noqa: E402
from jinja_oracle import make_env  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def load_template():
    with open(os.path.join(ROOT, "assets", "templates", "nemotron3.jinja")) as f:
        return make_env().from_string(f.read())


def asst(content, reasoning=None, tool_calls=None):
    m = {"role": "assistant", "content": content}
    if reasoning:
        m["reasoning_content"] = reasoning
    if tool_calls:
        m["tool_calls"] = [{"type": "function", "function": {"name": n, "arguments": a}} for n, a in tool_calls]
    return m


UPPER_SHARE, UPPER_MAX_LEN = 0.05, 40  # --upper-share, --upper-max-len: the evaluation's own casing by default


def user(rng, text):
    return {"role": "user", "content": S.vary_case(rng, text, upper=UPPER_SHARE, upper_max_len=UPPER_MAX_LEN)}


# Each skill returns (turns, tools_needed): turns is a list of messages after the user's question,
# built with thinking on or off.

def capital_turn(rng, think):
    c, k = rng.choice(S.CAPITALS)
    q = rng.choice(S.CAPITAL_Q).format(c=c)
    a = rng.choice(S.CAPITAL_A).format(c=c, k=k)
    r = f"The user asks for the capital of {c}. The capital of {c} is {k}." if think else None
    return [user(rng, q), asst(a, r)], []


def element_turn(rng, think):
    e, sym = rng.choice(S.ELEMENTS)
    q = rng.choice(S.ELEMENT_Q).format(e=e)
    a = f"The chemical symbol for {e} is {sym}."
    r = f"The element is {e}. Its symbol is {sym}." if think else None
    return [user(rng, q), asst(a, r)], []


def arith_turn(rng, think):
    op = rng.choice(["add", "add", "sub", "sub", "mul"])
    a, b = S.random_operands(rng, op)
    if op == "add":
        q, res, r = rng.choice(S.ADD_Q), a + b, S.add_reasoning(a, b)
        ans = f"{a} + {b} = {a + b}."
    elif op == "sub":
        q, res, r = rng.choice(S.SUB_Q), a - b, S.sub_reasoning(a, b)
        ans = f"{a} - {b} = {a - b}."
    else:
        q, res = rng.choice(S.MUL_Q), a * b
        r = f"{a} times {b}: {a} × {b} = {a * b}."
        ans = f"{a} × {b} = {a * b}."
    if rng.random() < 0.3:
        ans = f"The answer is {res}."
    return [user(rng, q.format(a=a, b=b)), asst(ans, r if think else None)], []


_HELD_OUT = {c.lower() for c in S.EVAL_UNSEEN_CITIES}


def city(rng):
    """A seen real city or a made-up name; never one of the evaluation's held-out cities."""
    while True:
        c = rng.choice(S.SEEN_CITIES) if rng.random() < 0.4 else S.made_up_name(rng)
        if c.lower() not in _HELD_OUT:
            return c


def weather_turn(rng, think):
    unit = None
    if rng.random() < 0.5:
        c = city(rng)
        q = rng.choice(S.WEATHER_Q).format(c=c)
        if rng.random() < 0.15:
            unit = rng.choice(["celsius", "fahrenheit"])
            q += f" In {unit}."
        cities = [c]
    else:
        c, d = city(rng), city(rng)
        while d == c:
            d = city(rng)
        q = rng.choice(S.WEATHER_Q2).format(c=c, d=d)
        cities = [c, d]
    calls = [("get_weather", {"city": x, **({"unit": unit} if unit else {})}) for x in cities]
    names = " and ".join(cities)
    r = (f"The user wants the current weather in {names}. I will call get_weather"
         + (" for each city." if len(cities) > 1 else f" for {cities[0]}.")) if think else None
    msgs = [user(rng, q), asst("", r, calls)]
    results = [S.weather_result(rng, x, unit) for x in cities]
    for res in results:
        msgs.append({"role": "tool", "content": json.dumps(res)})
    parts = [f"In {x['city']} it is {x['temperature']} degrees {x['unit']} and {x['condition']}." for x in results]
    fr = ("The tool returned the weather. " + " ".join(parts)) if think else None
    msgs.append(asst(" ".join(parts), fr))
    return msgs, [S.WEATHER_TOOL]


def search_turn(rng, think):
    topic = rng.choice(S.SEARCH_TOPICS).format(n=S.made_up_name(rng) if rng.random() < 0.5 else rng.choice(S.SEEN_CITIES))
    q = rng.choice(S.SEARCH_Q).format(q=topic)
    r = f"The user wants a web search for {topic}. I will call web_search." if think else None
    msgs = [user(rng, q), asst("", r, [("web_search", {"query": topic})])]
    hits = [{"title": f"{topic.capitalize()} - {S.made_up_name(rng)}", "snippet": f"An article about {topic}."}
            for _ in range(rng.randint(1, 2))]
    msgs.append({"role": "tool", "content": json.dumps({"results": hits})})
    msgs.append(asst(f"I found {len(hits)} result{'s' if len(hits) > 1 else ''}: " +
                     "; ".join(h["title"] for h in hits) + ".",
                     "The search returned results. I will summarize them." if think else None))
    return msgs, [S.SEARCH_TOOL]


def calc_turn(rng, think):
    a, b = rng.randint(10, 999), rng.randint(2, 99)
    op = rng.choice(["*", "+", "-", "/"])
    expr = f"{a} {op} {b}"
    val = {"*": a * b, "+": a + b, "-": a - b, "/": round(a / b, 4)}[op]
    q = rng.choice(S.CALC_Q).format(e=expr)
    r = f"The user wants the calculator for {expr}. I will call calculator." if think else None
    msgs = [user(rng, q), asst("", r, [("calculator", {"expression": expr})]),
            {"role": "tool", "content": json.dumps({"result": val})},
            asst(f"{expr} = {val}.", f"The calculator returned {val}." if think else None)]
    return msgs, [S.CALC_TOOL]


COMPACT_JSON = 0.0  # share of JSON answers written without spaces (set by --compact-json)


def json_turn(rng, think):
    kind = rng.random()
    if kind < 0.45:
        n, age = S.person_name(rng), rng.randint(1, 99)
        q = rng.choice(S.JSON_PERSON_Q).format(n=n, a=age)
        obj = {"name": n, "age": age}
        r = f"The user wants a JSON object with name {n} and age {age}."
    elif kind < 0.8:
        c, k = rng.choice(S.CAPITALS)
        q = rng.choice(S.JSON_CITY_Q).format(k=k)
        obj = {"city": k, "country": c}
        r = f"{k} is the capital of {c}. I will write a JSON object with keys city and country."
    else:
        a = rng.randint(0, 20)
        b = a + rng.randint(1, 6)
        q = rng.choice(S.JSON_LIST_Q).format(a=a, b=b)
        obj = list(range(a, b + 1))
        r = f"The numbers from {a} to {b} are " + ", ".join(map(str, obj)) + "."
    # Compact JSON too (fine-tuning data, --compact-json): structured-output grammars may force it.
    compact = COMPACT_JSON > 0 and rng.random() < COMPACT_JSON  # no draw at 0: seed-1 data unchanged
    text = json.dumps(obj, separators=(",", ":")) if compact else json.dumps(obj)
    return [user(rng, q), asst(text, r if think else None)], []


def small_talk_turn(rng, think):
    qs, ans = rng.choice(S.SMALL_TALK)
    q, a = rng.choice(qs), rng.choice(ans)
    return [user(rng, q), asst(a, "The user is making small talk. I will reply politely." if think else None)], []


def copy_turn(rng, think):
    n = S.made_up_name(rng) if rng.random() < 0.8 else rng.choice(S.SEEN_CITIES)
    tpl = rng.choice(S.COPY_Q)
    q = tpl.format(n=n)
    a = f"Nice to meet you, {n}!" if tpl.startswith("My name") else n
    return [user(rng, q), asst(a, f"The user wrote {n}. I will repeat it exactly." if think else None)], []


SKILLS = [(capital_turn, 14), (element_turn, 3), (arith_turn, 22), (weather_turn, 22), (search_turn, 5),
          (calc_turn, 4), (json_turn, 12), (small_talk_turn, 6), (copy_turn, 6)]
_TOTAL = sum(w for _, w in SKILLS)


def set_skill_weights(spec):
    global SKILLS, _TOTAL
    over = {k: float(v) for k, v in (x.split("=") for x in spec.split(",") if x)}
    unknown = set(over) - {fn.__name__ for fn, _ in SKILLS}
    if unknown:
        raise SystemExit(f"unknown skills: {sorted(unknown)}")
    SKILLS = [(fn, over.get(fn.__name__, w)) for fn, w in SKILLS]
    _TOTAL = sum(w for _, w in SKILLS)


def pick_skill(rng):
    x = rng.random() * _TOTAL
    for fn, w in SKILLS:
        x -= w
        if x < 0:
            return fn
    return SKILLS[-1][0]


def conversation(rng):
    """1-3 exchanges; the last one has thinking on with probability 0.7 (the server's default is on)."""
    n_turns = 1 if rng.random() < 0.7 else rng.randint(2, 3)
    msgs, tools = [], []
    for i in range(n_turns):
        think = rng.random() < 0.7
        t, tl = pick_skill(rng)(rng, think)
        msgs += t
        for x in tl:
            if x not in tools:
                tools.append(x)
    # Tools offered but not needed (tool_choice "auto" must still answer directly), and extra tools.
    if rng.random() < 0.35:
        for x in S.ALL_TOOLS:
            if x not in tools and rng.random() < 0.6:
                tools.append(x)
    rng.shuffle(tools)
    if rng.random() < 0.4:
        msgs.insert(0, {"role": "system", "content": rng.choice(S.SYSTEM_PROMPTS)})
    return msgs, tools


def prose_passages(rng, limit_chars):
    """English prose from Debian's documentation (README and changelog-free text files)."""
    out, total = [], 0
    files = []
    for root, _, names in os.walk("/usr/share/doc"):
        for n in sorted(names):
            if n.lower().startswith("readme") or n.lower().endswith((".txt", ".md")):
                files.append(os.path.join(root, n))
    files.sort()
    rng.shuffle(files)
    for p in files:
        try:
            data = gzip.open(p).read() if p.endswith(".gz") else open(p, "rb").read()
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError, EOFError):
            continue
        for para in text.split("\n\n"):
            para = para.strip()
            letters = sum(ch.isalpha() or ch == " " for ch in para)
            if 200 <= len(para) <= 1500 and letters > 0.85 * len(para):
                out.append(para)
                total += len(para)
        if total >= limit_chars:
            break
    return out


SPECIALS = ["<|im_start|>", "<|im_end|>", "<think>", "</think>", "<tool_call>", "</tool_call>",
            "<tool_response>", "</tool_response>"]


def write_bpe_text(data_path, out_path, limit):
    """Conversations and prose interleaved (every 30th line is prose while it lasts), special tokens
    replaced by newlines: they are single tokens and must not shape the merges."""
    opener = lzma.open if data_path.endswith(".xz") else open
    chat, prose = [], []
    with opener(data_path, "rt") as f:
        for line in f:
            d = json.loads(line)
            (prose if d.get("prose") else chat).append(d["text"])
    out, total, pi = [], 0, 0
    for i, t in enumerate(chat):
        if i % 30 == 0 and pi < len(prose):
            out.append(prose[pi])
            pi += 1
        for sp in SPECIALS:
            t = t.replace(sp, "\n")
        out.append(t)
        total += len(t)
        if total >= limit:
            break
    with open(out_path, "w") as f:
        f.write("\n".join(out))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--prose-frac", type=float, default=0.03)
    ap.add_argument("--bpe-text", help="also write this much of the text, special tokens removed, for the BPE trainer")
    ap.add_argument("--bpe-chars", type=int, default=3_000_000)
    ap.add_argument("--compact-json", type=float, default=0.0)
    ap.add_argument("--skill-weights", default="",
                    help="override SKILLS weights, e.g. weather_turn=44,copy_turn=20 (the copy stage)")
    ap.add_argument("--upper-share", type=float, default=0.05,
                    help="share of ALL-CAPS user turns (session 5's retrain tried 0.15 with --upper-max-len 80)")
    ap.add_argument("--upper-max-len", type=int, default=40)
    args = ap.parse_args()
    set_skill_weights(args.skill_weights)
    global COMPACT_JSON, UPPER_SHARE, UPPER_MAX_LEN
    COMPACT_JSON = args.compact_json
    UPPER_SHARE, UPPER_MAX_LEN = args.upper_share, args.upper_max_len
    rng = S.new_rng(args.seed)
    tpl = load_template()
    opener = lzma.open if args.out.endswith(".xz") else open
    total_chars = 0
    with opener(args.out, "wt") as f:
        for _ in range(args.n):
            msgs, tools = conversation(rng)
            text = tpl.render(messages=msgs, tools=tools or None, add_generation_prompt=False)
            total_chars += len(text)
            f.write(json.dumps({"text": text}) + "\n")
        prose = prose_passages(rng, int(total_chars * args.prose_frac))
        for p in prose:
            f.write(json.dumps({"text": p, "prose": True}) + "\n")
    if args.bpe_text:
        write_bpe_text(args.out, args.bpe_text, args.bpe_chars)
    print(f"{args.n} conversations, {len(prose)} prose passages, {total_chars} chat chars -> {args.out}")


if __name__ == "__main__":
    main()
