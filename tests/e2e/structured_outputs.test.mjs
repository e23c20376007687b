// Structured outputs and tool calling against a live hyserve (structured_outputs.sh; HYSERVE_URL).
// The tiny model has random weights, so everything schema-shaped below comes from the grammar alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import OpenAI from "openai";

const require = createRequire(import.meta.url);
const Ajv2020 = require("ajv/dist/2020").default;
const addFormats = require("ajv-formats").default;
const ajv = new Ajv2020({ strict: false });
addFormats(ajv);

const client = new OpenAI({ baseURL: `${process.env.HYSERVE_URL}/v1`, apiKey: "unused", maxRetries: 0 });
const MODEL = "tiny";
const msgs = [{ role: "user", content: "Answer in JSON." }];
const noThink = { chat_template_kwargs: { enable_thinking: false } };

// Random weights walk a string, an array or an integer's digits for as long as the grammar lets them,
// so every open-ended string, array and integer gets a bound (the schema's own bounds are kept). Strings
// with a format or pattern, numbers and extra keys cannot be bounded (the grammar refuses those
// combinations), so a few of those runs end by length; at least 90% must finish and all that finish
// must validate.
function bounded(s) {
  if (Array.isArray(s)) return s.map(bounded);
  if (s === null || typeof s !== "object") return s;
  const out = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === "enum" || k === "const") out[k] = v;
    else if (k === "properties" || k === "$defs" || k === "definitions" || k === "patternProperties") {
      out[k] = {};
      for (const [p, sub] of Object.entries(v)) out[k][p] = bounded(sub);
    } else out[k] = bounded(v);
  }
  const types = Array.isArray(s.type) ? s.type : [s.type];
  if (types.includes("string") && s.maxLength === undefined && !s.enum && s.const === undefined && !s.pattern && !s.format)
    out.maxLength = Math.max(6, (s.minLength ?? 0) + 4);
  if (types.includes("array") && s.maxItems === undefined) out.maxItems = (s.minItems ?? 0) + 3;
  if (types.includes("integer") && s.maximum === undefined && s.exclusiveMaximum === undefined && !s.enum && s.const === undefined)
    out.maximum = Math.max(99999, (s.minimum ?? 0) + 99999);
  if (types.includes("integer") && s.minimum === undefined && s.exclusiveMinimum === undefined && !s.enum && s.const === undefined)
    out.minimum = Math.min(-99999, (s.maximum ?? 0) - 99999);
  return out;
}

// What no bound reaches: strings with a format or pattern, numbers, extra keys (additionalProperties true
// or a schema, or objects without declared properties).
function open(s) {
  const t = JSON.stringify(s);
  return /"(format|pattern)":|"number"|"additionalProperties":(true|\{)/.test(t) || !t.includes('"properties"');
}

const schemas = JSON.parse(readFileSync("tests/data/grammar/schemas.json", "utf8"));

test(`${schemas.length} JSON schemas × 3 seeds at temperature 1 validate with ajv`, async () => {
  assert.ok(schemas.length >= 40);
  let checked = 0, lengthStops = [], unsupported = [];
  const validated = new Set();
  const jobs = [];
  for (const { name, schema } of schemas) {
    const b = bounded(schema);
    const validate = ajv.compile(b);
    for (const seed of [1, 2, 3]) {
      jobs.push(async () => {
        let r;
        try {
          r = await client.chat.completions.create({
            model: MODEL, messages: msgs, temperature: 1, seed, max_tokens: 1000, ...noThink,
            response_format: { type: "json_schema", json_schema: { name: "s", schema: b, strict: true } },
          });
        } catch (e) {
          if (e.status === 400) { unsupported.push(`${name}: ${e.message}`); return; }
          throw e;
        }
        const c = r.choices[0];
        if (c.finish_reason === "length") {
          lengthStops.push(`${name}/${seed}`);
          assert.ok(open(b), `${name} seed ${seed}: a bounded schema ran to max_tokens: ${c.message.content.slice(0, 200)}`);
          return;
        }
        assert.equal(c.finish_reason, "stop", name);
        let v;
        assert.doesNotThrow(() => { v = JSON.parse(c.message.content); }, `${name} seed ${seed}: ${c.message.content}`);
        assert.ok(validate(v), `${name} seed ${seed}: ${c.message.content} ${JSON.stringify(validate.errors)}`);
        checked++;
        validated.add(name);
      });
    }
  }
  // A few requests at a time: they batch in the engine without piling 141 sequences on 2 cores.
  for (let i = 0; i < jobs.length; i += 6) await Promise.all(jobs.slice(i, i + 6).map((f) => f()));
  assert.deepEqual(unsupported, []);
  assert.ok(checked >= jobs.length * 0.85, `only ${checked}/${jobs.length} finished (length stops: ${lengthStops.join(" ")})`);
  assert.ok(validated.size >= 40, `only ${validated.size} schemas had a validated output`);
  console.log(`schemas: ${checked}/${jobs.length} outputs validated, length stops: ${lengthStops.join(" ")}`);
});

test("structured_outputs regex / choice / grammar and /v1/completions guided_json", async () => {
  const r1 = await client.chat.completions.create({
    model: MODEL, messages: msgs, temperature: 1, seed: 5, max_tokens: 40, ...noThink,
    structured_outputs: { regex: "[a-c]{2,5}-[0-9]{3}" },
  });
  assert.match(r1.choices[0].message.content, /^[a-c]{2,5}-[0-9]{3}$/);
  const r2 = await client.chat.completions.create({
    model: MODEL, messages: msgs, temperature: 1, seed: 6, max_tokens: 20, ...noThink,
    structured_outputs: { choice: ["alpha", "beta", "gamma delta"] },
  });
  assert.ok(["alpha", "beta", "gamma delta"].includes(r2.choices[0].message.content));
  const r3 = await client.chat.completions.create({
    model: MODEL, messages: msgs, temperature: 1, seed: 7, max_tokens: 40, ...noThink,
    guided_grammar: 'root ::= "x" [0-9] [0-9]? ("," "y")?',
  });
  assert.match(r3.choices[0].message.content, /^x[0-9][0-9]?(,y)?$/);
  const schema = { type: "object", properties: { n: { type: "integer", minimum: 0, maximum: 99 } }, required: ["n"] };
  const r4 = await client.completions.create({ model: MODEL, prompt: "JSON:", temperature: 1, seed: 8, max_tokens: 30, guided_json: schema });
  assert.ok(ajv.validate(schema, JSON.parse(r4.choices[0].text)), r4.choices[0].text);
  const r5 = await client.chat.completions.create({
    model: MODEL, messages: msgs, temperature: 1, seed: 9, max_tokens: 200, ...noThink, response_format: { type: "json_object" },
  });
  if (r5.choices[0].finish_reason === "stop") assert.equal(typeof JSON.parse(r5.choices[0].message.content), "object");
});

test("bad constraints are 400s naming the field", async () => {
  const bad = [
    [{ structured_outputs: { regex: "a", choice: ["b"] } }, /structured_outputs/],
    [{ structured_outputs: {} }, /structured_outputs/],
    [{ response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "number", multipleOf: 2 } } } }, /multipleOf/],
    [{ structured_outputs: { grammar: "root ::= (" } }, /structured_outputs.grammar/],
    [{ tools: [{ type: "function", function: { name: "f" } }], tool_choice: { type: "function", function: { name: "g" } } }, /g/],
    [{ thinking_token_budget: -5 }, /thinking_token_budget/],
  ];
  for (const [extra, re] of bad) {
    await assert.rejects(client.chat.completions.create({ model: MODEL, messages: msgs, max_tokens: 4, ...extra }),
      (e) => e.status === 400 && re.test(e.message), JSON.stringify(extra));
  }
});

const weatherTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: {
      type: "object",
      properties: {
        city: { type: "string", maxLength: 12 },
        days: { type: "integer", minimum: 1, maximum: 14 },
        unit: { type: "string", enum: ["c", "f"] },
      },
      required: ["city", "days"],
      additionalProperties: false,
    },
  },
};
const timeTool = {
  type: "function",
  function: {
    name: "get_time",
    parameters: { type: "object", properties: { zone: { type: "string", maxLength: 8 } }, required: ["zone"], additionalProperties: false },
  },
};
const tools = [weatherTool, timeTool];
const validators = Object.fromEntries(tools.map((t) => [t.function.name, ajv.compile(t.function.parameters)]));

// Random weights rarely close an open-ended list of calls, so the checked runs use
// parallel_tool_calls: false (the grammar then allows exactly one call); the parallel run below only
// checks that whatever completes is valid.
test("tool_choice required: schema-valid calls, streamed deltas reassemble to the same calls", async () => {
  for (const seed of [1, 2, 3]) {
    const args = { model: MODEL, messages: msgs, tools, tool_choice: "required", parallel_tool_calls: false,
      temperature: 1, seed, max_tokens: 300, ...noThink };
    const r = await client.chat.completions.create(args);
    const c = r.choices[0];
    assert.equal(c.finish_reason, "tool_calls", JSON.stringify(c));
    assert.ok(c.message.tool_calls.length >= 1);
    for (const call of c.message.tool_calls) {
      assert.equal(call.type, "function");
      assert.ok(validators[call.function.name](JSON.parse(call.function.arguments)), call.function.arguments);
    }
    const stream = await client.chat.completions.create({ ...args, stream: true });
    const calls = [];
    let finish = null;
    for await (const chunk of stream) {
      const ch = chunk.choices[0];
      if (!ch) continue;
      for (const d of ch.delta.tool_calls ?? []) {
        if (d.id) calls[d.index] = { id: d.id, name: d.function.name, arguments: d.function.arguments ?? "" };
        else calls[d.index].arguments += d.function.arguments;
      }
      if (ch.finish_reason) finish = ch.finish_reason;
    }
    assert.equal(finish, "tool_calls");
    assert.deepEqual(calls.map((x) => [x.name, x.arguments]), c.message.tool_calls.map((x) => [x.function.name, x.function.arguments]));
  }
  const r = await client.chat.completions.create({ model: MODEL, messages: msgs, tools, tool_choice: "required",
    temperature: 1, seed: 9, max_tokens: 300, ...noThink });
  const c = r.choices[0];
  if (c.finish_reason === "tool_calls")
    for (const call of c.message.tool_calls) assert.ok(validators[call.function.name](JSON.parse(call.function.arguments)));
  else assert.equal(c.finish_reason, "length");
});

test("tool_choice named: the arguments validate; streamed equals non-streamed", async () => {
  for (const seed of [4, 5]) {
    const args = { model: MODEL, messages: msgs, tools, tool_choice: { type: "function", function: { name: "get_weather" } },
      temperature: 1, seed, max_tokens: 200, ...noThink };
    const r = await client.chat.completions.create(args);
    const c = r.choices[0];
    assert.equal(c.message.tool_calls.length, 1);
    assert.equal(c.message.tool_calls[0].function.name, "get_weather");
    assert.ok(validators.get_weather(JSON.parse(c.message.tool_calls[0].function.arguments)));
    const stream = await client.chat.completions.create({ ...args, stream: true });
    let name = null, argsText = "";
    for await (const chunk of stream)
      for (const d of chunk.choices[0]?.delta.tool_calls ?? []) {
        if (d.function?.name) name = d.function.name;
        argsText += d.function?.arguments ?? "";
      }
    assert.equal(name, "get_weather");
    assert.equal(argsText, c.message.tool_calls[0].function.arguments);
  }
});

test("thinking_token_budget N: at most N reasoning tokens, then the answer", async () => {
  for (const budget of [0, 3, 10]) {
    const r = await client.chat.completions.create({
      model: MODEL, messages: msgs, temperature: 1, seed: 11, max_tokens: 40, ignore_eos: true, thinking_token_budget: budget,
    });
    const u = r.usage.completion_tokens_details.reasoning_tokens;
    assert.ok(u <= budget, `budget ${budget}: ${u} reasoning tokens`);
    assert.ok(typeof r.choices[0].message.content === "string" && r.choices[0].message.content.length > 0,
      `budget ${budget}: no content after reasoning`);
  }
  // The server ceiling (--max-thinking-tokens 64) applies when the request sets none.
  const r = await client.chat.completions.create({ model: MODEL, messages: msgs, temperature: 1, seed: 12, max_tokens: 100, ignore_eos: true });
  assert.ok(r.usage.completion_tokens_details.reasoning_tokens <= 64);
});

test("reasoning comes back as message.reasoning and delta.reasoning; enable_thinking false gives none", async () => {
  const args = { model: MODEL, messages: msgs, temperature: 0, max_tokens: 24, ignore_eos: true, thinking_token_budget: 8 };
  const r = await client.chat.completions.create(args);
  const m = r.choices[0].message;
  assert.equal(typeof m.reasoning, "string");
  assert.equal(m.reasoning_content, m.reasoning);
  let reasoning = "", content = "";
  for await (const chunk of await client.chat.completions.create({ ...args, stream: true })) {
    const d = chunk.choices[0]?.delta ?? {};
    reasoning += d.reasoning ?? "";
    content += d.content ?? "";
  }
  assert.equal(reasoning, m.reasoning);
  assert.equal(content, m.content ?? "");
  const hidden = await client.chat.completions.create({ ...args, include_reasoning: false });
  assert.equal(hidden.choices[0].message.reasoning, null);
  const off = await client.chat.completions.create({ ...args, ...noThink });
  assert.equal(off.choices[0].message.reasoning, null);
  assert.equal(off.usage.completion_tokens_details.reasoning_tokens, 0);
});
