#!/usr/bin/env python3
"""Reference renderer for hyserve's Jinja tests: Python Jinja2 set up the way Hugging Face's
apply_chat_template sets it up (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks,
loopcontrols, a {% generation %} block that renders its body, tojson with ensure_ascii=False and
json.dumps' default separators, raise_exception, strftime_now).

  jinja_oracle.py render TEMPLATE VARS.json       -> prints the rendering (exit 1 + message on error)
  jinja_oracle.py chat TEMPLATE REQUEST.json [CONFIG.json]
                                                  -> renders an OpenAI chat request like `hyserve render-chat`
  jinja_oracle.py cases CASES.json [--write]      -> checks (or rewrites) the `expected` of each case
  jinja_oracle.py check-cases HYSERVE CASES.json  -> every case rendered now by Jinja2 and by
                                                     `hyserve render-template` must agree
  jinja_oracle.py check-chat HYSERVE SOURCE REQUEST.json...
                                                  -> each request rendered by Jinja2 and by
                                                     `hyserve render-chat` must agree; SOURCE is a
                                                     .jinja file or a dir with tokenizer_config.json
Run it with /usr/bin/python3 (the interpreter with jinja2)."""
import copy
import json
import os
import subprocess
import sys
import tempfile
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
    # Text-like parts by their field, joined with "\n"; any other part is an error, as in vLLM.
    part_field = {"text": "text", "input_text": "text", "output_text": "text", "refusal": "refusal",
                  "thinking": "thinking"}
    messages = []
    for m in copy.deepcopy(request.get("messages", [])):
        if isinstance(m.get("content"), list):
            m["content"] = "\n".join(p if isinstance(p, str) else p[part_field[p["type"]]] for p in m["content"])
        if "reasoning" in m and "reasoning_content" not in m:
            m["reasoning_content"] = m["reasoning"]
        if m.get("tool_calls") == []:
            del m["tool_calls"]
        for call in m.get("tool_calls") or []:
            fn = call.get("function") if isinstance(call, dict) else None
            if isinstance(fn, dict) and fn.get("arguments") in (None, ""):
                fn["arguments"] = {}
            elif isinstance(fn, dict) and isinstance(fn.get("arguments"), str):
                fn["arguments"] = json.loads(fn["arguments"])  # not JSON: rejected, as in vLLM
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
    if cont and ctx["add_generation_prompt"]:
        raise ValueError("continue_final_message cannot be combined with add_generation_prompt")
    ctx.update(request.get("chat_template_kwargs") or {})
    return ctx, messages, cont


def render_chat(source, request, config):
    ctx, messages, cont = chat_context(request, config)
    out = render(source, ctx)
    if cont and messages:
        # transformers' apply_chat_template(continue_final_message=True)
        final = messages[-1].get("content")
        final = final if isinstance(final, str) else ""
        if final.strip() not in out:
            raise ValueError("continue_final_message: the final message does not appear in the rendered chat")
        loc = out.rindex(final.strip())
        if out[loc: loc + len(final.lstrip())] == final:
            out = out[: loc + len(final.lstrip())]
        else:
            out = out[: loc + len(final.strip())]
    return out


def run_hyserve(args):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    if p.returncode != 0:
        return None, p.stderr.decode("utf-8", "replace").strip()
    return p.stdout.decode("utf-8", "surrogateescape"), None


def python_result(fn):
    try:
        return fn(), None
    except Exception as e:  # noqa: BLE001 - a Jinja2 failure must be a hyserve failure too
        return None, type(e).__name__ + ": " + str(e)


def report(label, py, cpp):
    """Prints a mismatch; returns 1 when the two renderings disagree."""
    (py_out, py_err), (cpp_out, cpp_err) = py, cpp
    if py_err is not None and cpp_err is not None:
        return 0
    if py_err is None and cpp_err is None and py_out == cpp_out:
        return 0
    print(f"MISMATCH {label}")
    print("  jinja2 :", json.dumps(py_out, ensure_ascii=False) if py_err is None else "ERROR " + py_err)
    print("  hyserve:", json.dumps(cpp_out, ensure_ascii=False) if cpp_err is None else "ERROR " + cpp_err)
    return 1


def check_cases(hyserve, cases_path):
    with open(cases_path, encoding="utf-8") as f:
        cases = json.load(f)
    bad = stale = 0
    with tempfile.TemporaryDirectory() as tmp:
        tpath, vpath = os.path.join(tmp, "t.jinja"), os.path.join(tmp, "v.json")
        for case in cases:
            with open(tpath, "w", encoding="utf-8", newline="") as f:
                f.write(case["template"])
            with open(vpath, "w", encoding="utf-8") as f:
                json.dump(case.get("vars", {}), f, ensure_ascii=False)
            py = python_result(lambda: render(case["template"], case.get("vars", {})))
            if (py[1] is None) != ("error" not in case) or (py[1] is None and py[0] != case.get("expected")):
                stale += 1
                print(f"STALE {case.get('name')}: committed expectation differs from this Jinja2")
            bad += report(case.get("name"), py, run_hyserve([hyserve, "render-template", "--template", tpath, "--vars", vpath]))
    print(f"{len(cases)} template cases: {bad} mismatches, {stale} stale expectations")
    return 1 if bad or stale else 0


def check_chat(hyserve, source, requests):
    if os.path.isdir(source):
        with open(os.path.join(source, "tokenizer_config.json"), encoding="utf-8") as f:
            config = json.load(f)
        text = config["chat_template"]
        if isinstance(text, list):
            named = {t["name"]: t["template"] for t in text}
            text = named.get("default", text[0]["template"])
        args = ["--model", source]
    else:
        with open(source, encoding="utf-8") as f:
            text = f.read()
        config = {}
        args = ["--template", source]
    bad = errors = 0
    for req_path in requests:
        with open(req_path, encoding="utf-8") as f:
            request = json.load(f)
        py = python_result(lambda: render_chat(text, request, config))
        cpp = run_hyserve([hyserve, "render-chat", *args, "--request", req_path])
        errors += py[1] is not None and cpp[1] is not None
        bad += report(f"{os.path.basename(source)} x {os.path.basename(req_path)}", py, cpp)
    print(f"{source}: {len(requests)} conversations ({errors} rejected by both), {bad} mismatches")
    return 1 if bad else 0


def main(argv):
    if len(argv) >= 4 and argv[1] == "check-cases":
        return check_cases(argv[2], argv[3])
    if len(argv) >= 5 and argv[1] == "check-chat":
        return check_chat(argv[2], argv[3], argv[4:])
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
