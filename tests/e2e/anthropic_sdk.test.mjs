// The official Anthropic SDK against a live hyserve (started by anthropic_sdk.sh; HYSERVE_URL, api key
// "test-key", which the SDK sends as x-api-key). The model is random, so the tests check shapes,
// counts and event order, and force tool calls with tool_choice.
import { test } from "node:test";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";

const client = new Anthropic({ baseURL: process.env.HYSERVE_URL, apiKey: "test-key", maxRetries: 0 });
const MODEL = "tiny";
const user = (text) => [{ role: "user", content: text }];
const weatherTool = {
  name: "get_weather",
  description: "Weather for a city",
  // An enum keeps the forced arguments short whatever the random model prefers.
  input_schema: { type: "object", properties: { city: { type: "string", enum: ["Paris", "Rome"] } }, required: ["city"] },
};

test("messages.create: msg_ id, text block, usage, stop reason", async () => {
  const m = await client.messages.create({
    model: MODEL, max_tokens: 8, temperature: 0, system: "Be brief.", thinking: { type: "disabled" },
    messages: user("Tell me about the sea."), metadata: { user_id: "u1" },
  });
  assert.match(m.id, /^msg_[0-9a-f]{24}$/);
  assert.equal(m.type, "message");
  assert.equal(m.role, "assistant");
  assert.equal(m.model, "tiny");
  assert.ok(["end_turn", "max_tokens"].includes(m.stop_reason));
  assert.ok(m.usage.input_tokens > 5);
  assert.ok(m.usage.output_tokens >= 1 && m.usage.output_tokens <= 8);
  assert.ok(m.content.every((b) => b.type === "text"));
});

test("messages.stream(): events in order and finalMessage equals the non-streamed message", async () => {
  const args = { model: MODEL, max_tokens: 10, temperature: 0, thinking: { type: "disabled" }, messages: user("Hello there") };
  const full = await client.messages.create(args);
  const stream = client.messages.stream(args);
  const types = [];
  stream.on("streamEvent", (e) => types.push(e.type));
  const final = await stream.finalMessage();
  assert.equal(types[0], "message_start");
  assert.equal(types.at(-1), "message_stop");
  assert.equal(types.at(-2), "message_delta");
  assert.deepEqual(final.content, full.content);
  assert.equal(final.stop_reason, full.stop_reason);
  assert.equal(final.usage.output_tokens, full.usage.output_tokens);
  assert.match(final.id, /^msg_/);
});

test("thinking on gives a thinking block first; off gives none", async () => {
  const on = await client.messages.create({
    model: MODEL, max_tokens: 12, temperature: 0, thinking: { type: "enabled", budget_tokens: 3 }, messages: user("Think."),
  });
  assert.equal(on.content[0].type, "thinking");
  assert.equal(typeof on.content[0].signature, "string");
  assert.ok(on.content[0].thinking.length > 0);
  const streamed = await client.messages.stream({
    model: MODEL, max_tokens: 12, temperature: 0, thinking: { type: "enabled", budget_tokens: 3 }, messages: user("Think."),
  }).finalMessage();
  assert.deepEqual(streamed.content, on.content.map((b) => (b.type === "thinking" ? { ...b, signature: streamed.content[0].signature } : b)));
  const off = await client.messages.create({
    model: MODEL, max_tokens: 6, temperature: 0, thinking: { type: "disabled" }, messages: user("Think."),
  });
  assert.ok(off.content.every((b) => b.type !== "thinking"));
});

test("countTokens counts the templated prompt, tools and system included", async () => {
  const base = { model: MODEL, messages: user("How warm is Paris?") };
  const plain = await client.messages.countTokens(base);
  const withSystem = await client.messages.countTokens({ ...base, system: "You are a weather bot." });
  const withTools = await client.messages.countTokens({ ...base, tools: [weatherTool] });
  assert.ok(plain.input_tokens > 5);
  assert.ok(withSystem.input_tokens > plain.input_tokens);
  assert.ok(withTools.input_tokens > plain.input_tokens + 10);
  // The count is what generation sees as input.
  const m = await client.messages.create({ ...base, max_tokens: 1 });
  assert.equal(m.usage.input_tokens, plain.input_tokens);
});

test("tool-use round trip: tool_use → tool_result → answer", async () => {
  const tools = [weatherTool];
  const first = await client.messages.create({
    model: MODEL, max_tokens: 60, temperature: 0, tools, tool_choice: { type: "tool", name: "get_weather" },
    thinking: { type: "disabled" }, messages: user("Weather in Paris?"),
  });
  const use = first.content.find((b) => b.type === "tool_use");
  assert.ok(use, JSON.stringify(first.content));
  assert.equal(use.name, "get_weather");
  assert.equal(typeof use.input, "object");
  assert.ok(["Paris", "Rome"].includes(use.input.city));
  const streamedUse = (await client.messages.stream({
    model: MODEL, max_tokens: 60, temperature: 0, tools, tool_choice: { type: "tool", name: "get_weather" },
    thinking: { type: "disabled" }, messages: user("Weather in Paris?"),
  }).finalMessage()).content.find((b) => b.type === "tool_use");
  assert.deepEqual(streamedUse.input, use.input);
  const answer = await client.messages.create({
    model: MODEL, max_tokens: 8, temperature: 0, tools, thinking: { type: "disabled" },
    messages: [
      ...user("Weather in Paris?"),
      { role: "assistant", content: first.content },
      { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "Sunny, 24 C" }] },
    ],
  });
  assert.ok(answer.usage.input_tokens > first.usage.input_tokens);
  assert.ok(["end_turn", "max_tokens", "tool_use"].includes(answer.stop_reason));
});

test("stop_sequences report the matched sequence", async () => {
  const args = { model: MODEL, max_tokens: 24, temperature: 0, thinking: { type: "disabled" }, messages: user("Count.") };
  const full = await client.messages.create(args);
  const text = full.content.map((b) => b.text ?? "").join("");
  assert.ok(text.length > 4, text);
  const stop = text.slice(3, 5);
  const m = await client.messages.create({ ...args, stop_sequences: [stop] });
  assert.equal(m.stop_reason, "stop_sequence");
  assert.equal(m.stop_sequence, stop);
  assert.ok(!m.content.map((b) => b.text ?? "").join("").includes(stop));
});

test("max_tokens beyond the context is clamped, a prompt past it is a 400", async () => {
  const m = await client.messages.create({ model: MODEL, max_tokens: 20000, messages: user("Hi"), temperature: 0, thinking: { type: "disabled" } });
  assert.ok(m.usage.input_tokens + m.usage.output_tokens <= 2048);
  await assert.rejects(
    client.messages.create({ model: MODEL, max_tokens: 10, messages: user("word ".repeat(6000)) }),
    (e) => e instanceof Anthropic.BadRequestError && e.error?.error?.type === "invalid_request_error");
});

test("errors use the Anthropic envelope and type names", async () => {
  await assert.rejects(
    client.messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: "user", content: [
      { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } }] }] }),
    (e) => e instanceof Anthropic.BadRequestError && /images not supported by this model/.test(e.message) &&
      e.error?.type === "error" && e.error?.error?.type === "invalid_request_error");
  await assert.rejects(
    client.messages.create({ model: "nope", max_tokens: 5, messages: user("x") }),
    (e) => e instanceof Anthropic.NotFoundError && e.error?.error?.type === "not_found_error");
  const bad = new Anthropic({ baseURL: process.env.HYSERVE_URL, apiKey: "wrong", maxRetries: 0 });
  await assert.rejects(bad.messages.create({ model: MODEL, max_tokens: 5, messages: user("x") }),
    (e) => e instanceof Anthropic.AuthenticationError && e.error?.error?.type === "authentication_error");
  // Bearer auth still works on the Anthropic paths.
  const r = await fetch(`${process.env.HYSERVE_URL}/v1/messages/count_tokens`, {
    method: "POST", headers: { "content-type": "application/json", authorization: "Bearer test-key" },
    body: JSON.stringify({ model: MODEL, messages: user("x") }),
  });
  assert.equal(r.status, 200);
  const raw = await fetch(`${process.env.HYSERVE_URL}/v1/messages`, {
    method: "POST", headers: { "content-type": "application/json", "x-api-key": "test-key" }, body: "{not json",
  });
  assert.equal(raw.status, 400);
  assert.equal((await raw.json()).type, "error");
});
