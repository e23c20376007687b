#!/usr/bin/env python3
"""Reference renderer for hyserve's Jinja tests: Python Jinja2 set up the way Hugging Face's
apply_chat_template sets it up (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks,
loopcontrols, a {% generation %} block that renders its body, tojson with ensure_ascii=False and
json.dumps' default separators, raise_exception, strftime_now).

  jinja_oracle.py render TEMPLATE VARS.json       -> prints the rendering (exit 1 + message on error)
  jinja_oracle.py chat TEMPLATE REQUEST.json [CONFIG.json]
                                                  -> renders an OpenAI chat request like `hyserve render-chat`
  jinja_oracle.py cases CASES.json [--write]      -> checks (or rewrites) the `expected` of each case
Run it with /usr/bin/python3 (the interpreter with jinja2)."""
import copy
import json
import sys
from datetime import datetime

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment


class GenerationBlock(Extension):
    """HF's AssistantTracker without the mask bookkeeping: the body is rendered as is."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return nodes.CallBlock(self.call_method("_render", []), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def make_env():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(fmt):
        return datetime.now().strftime(fmt)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[GenerationBlock, jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def render(source, variables):
    return make_env().from_string(source).render(**variables)


def chat_context(request, config):
    """The template context hyserve builds from an OpenAI chat request (src/chat/chat_request.cpp)."""
    messages = []
    for m in copy.deepcopy(request.get("messages", [])):
        if isinstance(m.get("content"), list):
            m["content"] = "".join(p.get("text", "") for p in m["content"]
                                   if isinstance(p, dict) and p.get("type") == "text")
        if "reasoning" in m and "reasoning_content" not in m:
            m["reasoning_content"] = m["reasoning"]
        for call in m.get("tool_calls") or []:
            fn = call.get("function") if isinstance(call, dict) else None
            if isinstance(fn, dict) and isinstance(fn.get("arguments"), str):
                try:
                    fn["arguments"] = json.loads(fn["arguments"])
                except ValueError:
                    pass
        messages.append(m)
    ctx = {}
    for key in ("bos_token", "eos_token"):
        tok = config.get(key)
        if isinstance(tok, dict):
            tok = tok.get("content")
        if isinstance(tok, str):
            ctx[key] = tok
    ctx["messages"] = messages
    if request.get("tools") is not None:
        ctx["tools"] = request["tools"]
    cont = bool(request.get("continue_final_message", False))
    ctx["add_generation_prompt"] = bool(request.get("add_generation_prompt", not cont))
    ctx.update(request.get("chat_template_kwargs") or {})
    return ctx, messages, cont


def render_chat(source, request, config):
    ctx, messages, cont = chat_context(request, config)
    if cont:
        ctx["add_generation_prompt"] = False
    out = render(source, ctx)
    if cont and messages:
        final = messages[-1].get("content") or ""
        # HF: cut right after the final message's content (stripped), keeping nothing after it.
        final = final.strip()
        pos = out.rfind(final)
        if pos < 0:
            raise ValueError("continue_final_message: final message content not found in the rendering")
        out = out[: pos + len(final)]
    return out


def main(argv):
    if len(argv) >= 4 and argv[1] == "render":
        with open(argv[2], encoding="utf-8") as f:
            source = f.read()
        with open(argv[3], encoding="utf-8") as f:
            variables = json.load(f)
        sys.stdout.write(render(source, variables))
        return 0
    if len(argv) >= 4 and argv[1] == "chat":
        with open(argv[2], encoding="utf-8") as f:
            source = f.read()
        with open(argv[3], encoding="utf-8") as f:
            request = json.load(f)
        config = {}
        if len(argv) >= 5:
            with open(argv[4], encoding="utf-8") as f:
                config = json.load(f)
        sys.stdout.write(render_chat(source, request, config))
        return 0
    if len(argv) >= 3 and argv[1] == "cases":
        with open(argv[2], encoding="utf-8") as f:
            cases = json.load(f)
        bad = 0
        for case in cases:
            try:
                got = {"expected": render(case["template"], case.get("vars", {}))}
            except Exception as e:  # noqa: BLE001 - any Jinja2 failure is an expected error
                got = {"error": type(e).__name__ + ": " + str(e)}
            if "--write" in argv:
                case.pop("expected", None)
                case.pop("error", None)
                case.update(got)
            elif ("error" in got) != ("error" in case) or got.get("expected") != case.get("expected"):
                bad += 1
                print("MISMATCH", case.get("name"), json.dumps(got, ensure_ascii=False))
        if "--write" in argv:
            with open(argv[2], "w", encoding="utf-8") as f:
                json.dump(cases, f, ensure_ascii=False, indent=1)
                f.write("\n")
        print(f"{len(cases)} cases, {bad} mismatches")
        return 1 if bad else 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Exception as e:  # noqa: BLE001
        sys.stderr.write(f"error: {type(e).__name__}: {e}\n")
        sys.exit(1)
