// The official `openai` SDK's Responses API against a live hyserve (run by responses_sdk.sh in phases
// around server restarts; PHASE, HYSERVE_URL, RESPONSES_STATE). The model is random: the tests check
// shapes, event order, token counts and that stored conversations carry over.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import OpenAI from "openai";

const client = new OpenAI({ baseURL: `${process.env.HYSERVE_URL}/v1`, apiKey: "unused", maxRetries: 0 });
const MODEL = "tiny";
const PHASE = process.env.PHASE;
const STATE = process.env.RESPONSES_STATE;
const load = () => JSON.parse(readFileSync(STATE, "utf8"));
const save = (s) => writeFileSync(STATE, JSON.stringify(s));
const base = { model: MODEL, temperature: 0, max_output_tokens: 8, reasoning: { effort: "none" } };
const notFound = (e) => e instanceof OpenAI.NotFoundError && /not found/.test(e.message);

// The chained request must see exactly: stored input, previous output message, new input.
async function checkChain(prev, next, input) {
  const explicit = await client.responses.create({
    ...base, store: false,
    input: [...input, { role: "assistant", content: prev.output_text }, { role: "user", content: "More." }],
  });
  assert.equal(next.usage.input_tokens, explicit.usage.input_tokens);
  assert.equal(next.previous_response_id, prev.id);
}

if (PHASE === "1") {
  test("create, retrieve, stream a continuation, delete, cancel", async () => {
    const r1 = await client.responses.create({ ...base, input: "Tell me about the sea.", metadata: { k: "v" } });
    assert.match(r1.id, /^resp_/);
    assert.equal(r1.object, "response");
    assert.ok(["completed", "incomplete"].includes(r1.status));
    assert.equal(r1.model, "tiny");
    assert.equal(r1.metadata.k, "v");
    assert.equal(r1.output.at(-1).type, "message");
    assert.match(r1.output.at(-1).id, /^msg_/);
    assert.equal(typeof r1.output_text, "string");
    assert.ok(r1.usage.input_tokens > 5 && r1.usage.output_tokens <= 8);
    assert.equal(r1.usage.total_tokens, r1.usage.input_tokens + r1.usage.output_tokens);
    const { output_text: _, ...r1body } = r1;  // output_text is the SDK's convenience, not in the body
    assert.deepEqual(await client.responses.retrieve(r1.id), r1body);

    const stream = client.responses.stream({ ...base, input: "More.", previous_response_id: r1.id });
    const types = [];
    let seq = 0;
    for await (const e of stream) {
      types.push(e.type);
      assert.equal(e.sequence_number, seq++);
    }
    const r2 = await stream.finalResponse();
    assert.deepEqual(types.slice(0, 2), ["response.created", "response.in_progress"]);
    assert.ok(["response.completed", "response.incomplete"].includes(types.at(-1)));
    for (const t of ["response.output_item.added", "response.content_part.added", "response.output_text.delta",
      "response.output_text.done", "response.content_part.done", "response.output_item.done"])
      assert.ok(types.includes(t), t);
    const stored2 = await client.responses.retrieve(r2.id);
    // The SDK's snapshot of a stream ended by response.incomplete is built from the deltas.
    assert.equal(stored2.output[0].content[0].text, r2.output.find((o) => o.type === "message").content[0].text);
    assert.equal(stored2.status, types.at(-1) === "response.completed" ? "completed" : "incomplete");
    await checkChain(r1, stored2, [{ role: "user", content: "Tell me about the sea." }]);

    const gone = await client.responses.create({ ...base, input: "bye" });
    assert.deepEqual(await client.responses.del(gone.id), { id: gone.id, object: "response.deleted", deleted: true });
    await assert.rejects(client.responses.retrieve(gone.id), notFound);
    await assert.rejects(client.responses.del(gone.id), notFound);
    await assert.rejects(client.responses.cancel(r1.id), (e) => e instanceof OpenAI.BadRequestError && /synchronous/.test(e.message));
    await assert.rejects(client.responses.create({ ...base, input: "x", previous_response_id: "resp_nope" }), notFound);

    const unstored = await client.responses.create({ ...base, input: "x", store: false });
    await assert.rejects(client.responses.retrieve(unstored.id), notFound);
    save({ r1: stored2.previous_response_id, r2: r2.id, r2obj: stored2 });
  });

  test("reasoning, function tools and incomplete status", async () => {
    const tools = [{ type: "function", name: "get_weather", parameters: { type: "object", properties: { city: { type: "string", enum: ["Paris", "Rome"] } }, required: ["city"] } },
      { type: "web_search_preview" }];
    const r = await client.responses.create({
      model: MODEL, temperature: 0, max_output_tokens: 40, input: "Weather in Paris?", tools,
      tool_choice: { type: "function", name: "get_weather" }, reasoning: { effort: "none" },
    });
    const call = r.output.find((o) => o.type === "function_call");
    assert.ok(call, JSON.stringify(r.output));
    assert.equal(call.name, "get_weather");
    assert.ok(["Paris", "Rome"].includes(JSON.parse(call.arguments).city));
    const answer = await client.responses.create({
      ...base, tools, previous_response_id: r.id, input: [{ type: "function_call_output", call_id: call.call_id, output: "Sunny" }],
    });
    assert.ok(answer.usage.input_tokens > r.usage.input_tokens);

    const think = await client.responses.create({ model: MODEL, temperature: 0, max_output_tokens: 12, input: "Think.", reasoning: { effort: "low" } });
    assert.equal(think.output[0].type, "reasoning");
    assert.ok(think.usage.output_tokens_details.reasoning_tokens > 0);

    const cut = await client.responses.create({ model: MODEL, temperature: 0, max_output_tokens: 2, input: "Long story.", reasoning: { effort: "none" }, ignore_eos: true });
    assert.equal(cut.status, "incomplete");
    assert.equal(cut.incomplete_details.reason, "max_output_tokens");

    // include "message.output_text.logprobs": one entry per output token with top_logprobs alternatives,
    // in the streamed deltas and the final part alike.
    const lpReq = { ...base, input: "Hi", max_output_tokens: 6, ignore_eos: true, include: ["message.output_text.logprobs"], top_logprobs: 2 };
    const withLp = await client.responses.create(lpReq);
    const lp = withLp.output.find((o) => o.type === "message").content[0].logprobs;
    assert.equal(withLp.top_logprobs, 2);
    assert.ok(lp.length >= 1 && lp.length <= withLp.usage.output_tokens, `logprobs ${lp.length} of ${withLp.usage.output_tokens} tokens`);
    for (const e of lp) {
      assert.equal(typeof e.token, "string");
      assert.ok(e.logprob <= 0);
      assert.equal(e.top_logprobs.length, 2);
      assert.deepEqual(e.bytes, [...Buffer.from(e.token, "utf8")]);
    }
    let streamed = [];
    for await (const ev of await client.responses.create({ ...lpReq, stream: true }))
      if (ev.type === "response.output_text.delta") streamed = streamed.concat(ev.logprobs);
    assert.deepEqual(streamed.map((e) => e.token), lp.map((e) => e.token));
    const noLp = await client.responses.create({ ...base, input: "Hi" });
    assert.deepEqual(noLp.output.find((o) => o.type === "message")?.content[0].logprobs ?? [], []);

    // truncation "auto": a history past the 2048-token context loses its oldest turns and is answered;
    // "disabled" (the default) is a 400 naming the context.
    const long = [
      { role: "user", content: "tell me ".repeat(1200) },
      { role: "assistant", content: "ok" },
      { role: "user", content: "Short question?" },
    ];
    const fitted = await client.responses.create({ ...base, input: long, truncation: "auto" });
    assert.equal(fitted.truncation, "auto");
    assert.ok(fitted.usage.input_tokens < 100, `input tokens after truncation: ${fitted.usage.input_tokens}`);
    await assert.rejects(client.responses.create({ ...base, input: long }), (e) => e.status === 400 && /context length/.test(e.message));
  });
}

if (PHASE === "2") {
  test("after a restart: stored responses are there and the chain continues", async () => {
    const s = load();
    assert.deepEqual(await client.responses.retrieve(s.r2), s.r2obj);
    const r3 = await client.responses.create({ ...base, input: "More.", previous_response_id: s.r2 });
    assert.equal(r3.previous_response_id, s.r2);
    save({ ...s, r3: r3.id, r3obj: await client.responses.retrieve(r3.id) });
  });
}

if (PHASE === "3") {
  test("after kill -9: what was answered was stored", async () => {
    const s = load();
    assert.deepEqual(await client.responses.retrieve(s.r3), s.r3obj);
    assert.deepEqual(await client.responses.retrieve(s.r1).then((r) => r.id), s.r1);
    const r4 = await client.responses.create({ ...base, input: "More.", previous_response_id: s.r3 });
    assert.ok(r4.usage.input_tokens > s.r3obj.usage.input_tokens);
  });
}

if (PHASE === "nostore") {
  test("with the store off nothing is kept", async () => {
    const s = load();
    const r = await client.responses.create({ ...base, input: "x" });
    assert.equal(r.store, false);
    await assert.rejects(client.responses.retrieve(r.id), (e) => notFound(e) && /store is off/.test(e.message));
    await assert.rejects(client.responses.retrieve(s.r1), notFound);
    await assert.rejects(client.responses.create({ ...base, input: "x", previous_response_id: s.r1 }), notFound);
  });
}
