// The official `openai` SDK against a live hyserve (started by openai_sdk.sh; HYSERVE_URL).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import OpenAI from "openai";

const client = new OpenAI({ baseURL: `${process.env.HYSERVE_URL}/v1`, apiKey: "unused", maxRetries: 0 });
const MODEL = "tiny";
const chatMsgs = [{ role: "user", content: "Tell me about the sea." }];
// The template thinks by default, and a short random-weight answer stays inside the reasoning (content
// null); tests about the answer text turn thinking off.
const noThink = { chat_template_kwargs: { enable_thinking: false } };

test("models.list reports every served name with the context length", async () => {
  const ids = [];
  for await (const m of client.models.list()) {
    ids.push(m.id);
    assert.equal(m.object, "model");
    assert.equal(m.max_model_len, 512);
  }
  assert.deepEqual(ids, ["tiny", "tiny-alias"]);
});

test("chat non-streaming: message, finish reason, usage", async () => {
  const r = await client.chat.completions.create({ model: MODEL, messages: chatMsgs, max_tokens: 12, temperature: 0, ...noThink });
  assert.match(r.id, /^chatcmpl-[0-9a-f]{32}$/);
  assert.equal(r.object, "chat.completion");
  assert.equal(r.model, "tiny");
  assert.equal(r.choices.length, 1);
  const c = r.choices[0];
  assert.equal(c.message.role, "assistant");
  assert.equal(typeof c.message.content, "string");
  assert.ok(["stop", "length"].includes(c.finish_reason));
  assert.ok(r.usage.prompt_tokens > 5);
  assert.ok(r.usage.completion_tokens >= 1 && r.usage.completion_tokens <= 12);
  assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens);
});

test("an alias name is accepted and the first name reported", async () => {
  const r = await client.chat.completions.create({ model: "tiny-alias", messages: chatMsgs, max_tokens: 2 });
  assert.equal(r.model, "tiny");
});

test("chat streaming equals non-streaming at temperature 0, with usage chunk", async () => {
  const args = { model: MODEL, messages: chatMsgs, max_tokens: 16, temperature: 0, ignore_eos: true, ...noThink };
  const full = await client.chat.completions.create(args);
  const stream = await client.chat.completions.create({ ...args, stream: true, stream_options: { include_usage: true } });
  let text = "", first = true, finish = null, usage = null, afterFinish = 0;
  for await (const chunk of stream) {
    assert.equal(chunk.object, "chat.completion.chunk");
    if (chunk.usage) { usage = chunk.usage; assert.deepEqual(chunk.choices, []); continue; }
    const ch = chunk.choices[0];
    if (first) { assert.equal(ch.delta.role, "assistant"); first = false; }
    if (finish) afterFinish++;
    text += ch.delta.content ?? "";
    if (ch.finish_reason) finish = ch.finish_reason;
  }
  assert.equal(text, full.choices[0].message.content);
  assert.equal(finish, "length");
  assert.equal(afterFinish, 0);
  assert.equal(usage.completion_tokens, 16);
  assert.equal(usage.prompt_tokens, full.usage.prompt_tokens);
});

test("completions non-streaming and streaming agree", async () => {
  const args = { model: MODEL, prompt: "The quick brown fox", max_tokens: 10, temperature: 0, ignore_eos: true };
  const full = await client.completions.create(args);
  assert.equal(full.object, "text_completion");
  assert.match(full.id, /^cmpl-/);
  assert.equal(full.choices[0].finish_reason, "length");
  assert.equal(full.usage.completion_tokens, 10);
  let text = "";
  for await (const chunk of await client.completions.create({ ...args, stream: true })) text += chunk.choices[0]?.text ?? "";
  assert.equal(text, full.choices[0].text);
});

test("completions default max_tokens is 16 and echo prefixes the prompt", async () => {
  const r = await client.completions.create({ model: MODEL, prompt: "Hello there", temperature: 0, ignore_eos: true, echo: true });
  assert.equal(r.usage.completion_tokens, 16);
  assert.ok(r.choices[0].text.startsWith("Hello there"));
});

test("n > 1 gives n choices with their own indices", async () => {
  const r = await client.chat.completions.create({ model: MODEL, messages: chatMsgs, n: 3, max_tokens: 6, temperature: 1, seed: 5 });
  assert.deepEqual(r.choices.map((c) => c.index), [0, 1, 2]);
  const s = await client.completions.create({ model: MODEL, prompt: ["a b", "c d"], n: 2, max_tokens: 4, temperature: 1, seed: 1 });
  assert.deepEqual(s.choices.map((c) => c.index).sort(), [0, 1, 2, 3]);
  const idx = new Set();
  for await (const chunk of await client.chat.completions.create({ model: MODEL, messages: chatMsgs, n: 2, max_tokens: 4, temperature: 1, stream: true }))
    for (const c of chunk.choices) idx.add(c.index);
  assert.deepEqual([...idx].sort(), [0, 1]);
});

test("stop sequences cut the text, streaming and not", async () => {
  const base = { model: MODEL, prompt: "Once upon a time", max_tokens: 24, temperature: 0, ignore_eos: true };
  const full = (await client.completions.create(base)).choices[0].text;
  assert.ok(full.length > 6, `need some text, got ${JSON.stringify(full)}`);
  const stop = full.slice(Math.floor(full.length / 2), Math.floor(full.length / 2) + 3);
  const expected = full.slice(0, full.indexOf(stop));
  const r = await client.completions.create({ ...base, stop: [stop] });
  assert.equal(r.choices[0].text, expected);
  assert.equal(r.choices[0].finish_reason, "stop");
  assert.equal(r.choices[0].stop_reason, stop);
  let text = "", finish = null;
  for await (const chunk of await client.completions.create({ ...base, stop, stream: true })) {
    text += chunk.choices[0]?.text ?? "";
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }
  assert.equal(text, expected);
  assert.equal(finish, "stop");
  const inc = await client.completions.create({ ...base, stop: [stop], include_stop_str_in_output: true });
  assert.equal(inc.choices[0].text, expected + stop);
});

test("logprobs: chat top_logprobs and completions logprobs", async () => {
  const r = await client.chat.completions.create({ model: MODEL, messages: chatMsgs, max_tokens: 5, temperature: 0, ignore_eos: true, logprobs: true, top_logprobs: 3 });
  const content = r.choices[0].logprobs.content;
  assert.equal(content.length, 5);
  for (const e of content) {
    assert.ok(e.logprob <= 0);
    assert.equal(e.top_logprobs.length, 3);
    assert.equal(e.top_logprobs[0].logprob, e.logprob);  // greedy: the chosen token is the best one
    assert.deepEqual(e.bytes, [...Buffer.from(e.token, "utf8")]);
  }
  const c = await client.completions.create({ model: MODEL, prompt: "Hi", max_tokens: 4, temperature: 0, ignore_eos: true, logprobs: 2 });
  const lp = c.choices[0].logprobs;
  assert.equal(lp.tokens.length, 4);
  assert.equal(lp.token_logprobs.length, 4);
  assert.equal(Object.keys(lp.top_logprobs[0]).length <= 2, true);
  assert.deepEqual(lp.text_offset[0], 0);
});

test("same seed, same output", async () => {
  const args = { model: MODEL, messages: chatMsgs, max_tokens: 12, temperature: 1.0, top_p: 0.9, seed: 1234, ignore_eos: true };
  const a = await client.chat.completions.create(args);
  const b = await client.chat.completions.create(args);
  assert.equal(a.choices[0].message.content, b.choices[0].message.content);
});

test("max_tokens gives finish_reason length", async () => {
  const r = await client.chat.completions.create({ model: MODEL, messages: chatMsgs, max_completion_tokens: 3, ignore_eos: true });
  assert.equal(r.choices[0].finish_reason, "length");
  assert.equal(r.usage.completion_tokens, 3);
});

test("errors surface as the SDK's typed errors", async () => {
  await assert.rejects(client.chat.completions.create({ model: "nope", messages: chatMsgs }), (e) => e instanceof OpenAI.NotFoundError && e.status === 404);
  await assert.rejects(client.chat.completions.create({ model: MODEL, messages: chatMsgs, temperature: -1 }), (e) => e instanceof OpenAI.BadRequestError && /temperature/.test(e.message));
  await assert.rejects(client.chat.completions.create({ model: MODEL, messages: chatMsgs, max_tokens: 100000 }), (e) => e instanceof OpenAI.BadRequestError && /maximum context length is 512/.test(e.message));
  await assert.rejects(client.chat.completions.create({ model: MODEL, messages: [] }), (e) => e instanceof OpenAI.BadRequestError);
  await assert.rejects(client.chat.completions.create({ model: MODEL, messages: chatMsgs, n: 2, temperature: 0 }), (e) => e.status === 400);
  await assert.rejects(client.completions.create({ model: MODEL, prompt: "x", suffix: "y" }), (e) => e instanceof OpenAI.BadRequestError && /suffix/.test(e.message));
  await assert.rejects(client.completions.create({ model: MODEL, prompt: "" }), (e) => e instanceof OpenAI.BadRequestError);
});

test("greedy /v1/completions equals `hyserve generate`", async () => {
  const bin = process.env.HYSERVE_BIN, model = process.env.HYSERVE_MODEL;
  const { ids } = JSON.parse(execFileSync(bin, ["tokenize", "--tokenizer", model, "--text", "The sea is"]).toString());
  const gen = execFileSync(bin, ["generate", "--model", model, "--prompt-tokens", ids.join(","), "--max-tokens", "12"]).toString().trim().split(/\s+/).map(Number);
  const text = execFileSync(bin, ["detokenize", "--tokenizer", model, "--ids", gen.join(","), "--skip-special"]).toString().slice(0, -1);
  const r = await client.completions.create({ model: MODEL, prompt: ids, max_tokens: 12, temperature: 0, ignore_eos: true });
  assert.equal(r.choices[0].text, text);
  const t = await client.completions.create({ model: MODEL, prompt: "The sea is", max_tokens: 12, temperature: 0, ignore_eos: true });
  assert.equal(t.choices[0].text, text);
});
