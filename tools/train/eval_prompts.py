#!/usr/bin/python3
"""Evaluation prompts for the default model (issue 11): 50 fresh prompts per skill, drawn with a seed
the training data never uses, from the same phrasing families (skills.py); weather prompts for
"unseen" cities use EVAL_UNSEEN_CITIES, which the generator never emits.

  eval_prompts.py [--n 50] [--seed 9001] [--skills weather_seen,weather_unseen] > cases.json

Each case: {"skill", "request": OpenAI chat-completions body (without model), "expect": {...}}."""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import skills as S  # noqa: E402


def msg(text):
    return [{"role": "user", "content": text}]


def cases(n, seed):
    rng = S.new_rng(seed)
    out = []

    def add(skill, request, **expect):
        request.setdefault("max_tokens", 256)
        request.setdefault("temperature", 0)
        out.append({"skill": skill, "request": request, "expect": expect})

    for _ in range(n):
        qs, _ = rng.choice(S.SMALL_TALK + [(S.CAPITAL_Q, None)])
        q = rng.choice(qs)
        if "{c}" in q:
            q = q.format(c=rng.choice(S.CAPITALS)[0])
        add("chat_format", {"messages": msg(S.vary_case(rng, q))})
    for _ in range(n):
        c, k = rng.choice(S.CAPITALS)
        add("capitals", {"messages": msg(S.vary_case(rng, rng.choice(S.CAPITAL_Q).format(c=c)))}, contains=k)
    for op, qs, f in [("addition", S.ADD_Q, lambda a, b: a + b), ("subtraction", S.SUB_Q, lambda a, b: a - b)]:
        for _ in range(n):
            a, b = rng.randint(10, 99), rng.randint(10, 99)
            add(op, {"messages": msg(S.vary_case(rng, rng.choice(qs).format(a=a, b=b)))}, last_number=f(a, b))
    for skill, pool in [("weather_seen", S.SEEN_CITIES), ("weather_unseen", S.EVAL_UNSEEN_CITIES)]:
        for i in range(n):
            city = pool[i % len(pool)] if skill == "weather_unseen" else rng.choice(pool)
            q = S.vary_case(rng, rng.choice(S.WEATHER_Q).format(c=city))
            add(skill, {"messages": msg(q), "tools": [S.WEATHER_TOOL], "tool_choice": "auto"},
                tool="get_weather", city=city)
    for skill, rf in [("json", None), ("json_response_format", {"type": "json_object"})]:
        for _ in range(n):
            if rng.random() < 0.5:
                nm, age = S.person_name(rng), rng.randint(1, 99)
                q, obj = rng.choice(S.JSON_PERSON_Q).format(n=nm, a=age), {"name": nm, "age": age}
            else:
                c, k = rng.choice(S.CAPITALS)
                q, obj = rng.choice(S.JSON_CITY_Q).format(k=k), {"city": k, "country": c}
            req = {"messages": msg(S.vary_case(rng, q))}
            if rf:
                req["response_format"] = rf
            add(skill, req, json=obj)
    for _ in range(n):
        c, k = rng.choice(S.CAPITALS)
        add("thinking_off", {"messages": msg(rng.choice(S.CAPITAL_Q).format(c=c)),
                             "chat_template_kwargs": {"enable_thinking": False}}, contains=k, no_reasoning=True)
    for _ in range(n):
        a, b = rng.randint(100, 999), rng.randint(100, 999)
        add("thinking_budget", {"messages": msg(rng.choice(S.ADD_Q).format(a=a, b=b)), "thinking_token_budget": 8},
            reasoning_budget=8)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--seed", type=int, default=9001)
    ap.add_argument("--skills", default="",
                    help="comma-separated skills to keep (default all), e.g. weather_seen,weather_unseen")
    args = ap.parse_args()
    out = cases(args.n, args.seed)
    if args.skills:
        keep = set(args.skills.split(","))
        unknown = keep - {c["skill"] for c in out}
        if unknown:
            raise SystemExit(f"unknown skills: {sorted(unknown)}")
        out = [c for c in out if c["skill"] in keep]  # the same prompts as without the filter
    json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
