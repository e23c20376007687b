// Malformed and hostile requests over raw sockets (started by hostile_http.sh; HYSERVE_URL). Every case
// must get the right status, and the server must answer a normal request afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import fs from "node:fs";

const url = new URL(process.env.HYSERVE_URL);
const HOST = url.hostname, PORT = Number(url.port);
const MSGS = [{ role: "user", content: "hi" }];

// Sends raw bytes, returns {status, headers, body} of the first response (connection closed after).
function raw(bytes, { timeoutMs = 20000 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(PORT, HOST);
    const chunks = [];
    const timer = setTimeout(() => { sock.destroy(); reject(new Error("timeout")); }, timeoutMs);
    sock.on("connect", () => sock.write(bytes));
    sock.on("data", (d) => {
      chunks.push(d);
      // A response with Content-Length is complete without waiting for the close (keep-alive).
      const t = Buffer.concat(chunks).toString("latin1");
      const h = t.indexOf("\r\n\r\n"), m = /\r\ncontent-length: *(\d+)/i.exec(t);
      if (h >= 0 && m && t.length - h - 4 >= Number(m[1])) sock.destroy();
    });
    sock.on("error", reject);
    sock.on("close", () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("latin1");
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : 0, text, body: text.slice(text.indexOf("\r\n\r\n") + 4) });
    });
  });
}

function request(method, path, body, { contentType = "application/json", extraHeaders = "" } = {}) {
  const buf = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  const head = `${method} ${path} HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\nContent-Type: ${contentType}\r\nContent-Length: ${buf.length}\r\n${extraHeaders}\r\n`;
  return raw(Buffer.concat([Buffer.from(head, "latin1"), buf]));
}

const chat = (fields) => request("POST", "/v1/chat/completions", { model: "tiny", messages: MSGS, max_tokens: 2, ...fields });
const completion = (fields) => request("POST", "/v1/completions", { model: "tiny", prompt: "hi", max_tokens: 2, ...fields });

async function assertHealthy() {
  const r = await chat({});
  assert.equal(r.status, 200, r.text);
  assert.match(r.body, /chat\.completion/);
}

// The JSON object of a response body (an error or any other answer).
function errorOf(r) {
  // Chunked or plain: the JSON object is in the body.
  const i = r.body.indexOf("{");
  return JSON.parse(r.body.slice(i, r.body.lastIndexOf("}") + 1));
}

const cases = [
  ["malformed JSON", () => request("POST", "/v1/chat/completions", '{"messages": ['), 400],
  ["JSON array body", () => request("POST", "/v1/chat/completions", "[1,2]"), 400],
  ["JSON string body", () => request("POST", "/v1/chat/completions", '"hello"'), 400],
  ["empty body", () => request("POST", "/v1/chat/completions", ""), 400],
  ["messages missing", () => request("POST", "/v1/chat/completions", { model: "tiny" }), 400],
  ["messages not a list", () => chat({ messages: "hi" }), 400],
  ["empty messages", () => chat({ messages: [] }), 400],
  ["message not an object", () => chat({ messages: [42] }), 400],
  ["message without role", () => chat({ messages: [{ content: "x" }] }), 400],
  ["role is a number", () => chat({ messages: [{ role: 7, content: "x" }] }), 400],
  ["content is a number", () => chat({ messages: [{ role: "user", content: 5 }] }), 400],
  ["content part without type", () => chat({ messages: [{ role: "user", content: [{ text: "x" }] }] }), 400],
  ["image part on a text-only model", () => chat({ messages: [{ role: "user", content: [{ type: "text", text: "what is this?" }, { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }] }] }), 400],
  ["unknown content part type", () => chat({ messages: [{ role: "user", content: [{ type: "hologram", text: "x" }] }] }), 400],
  ["tool call arguments not JSON", () => chat({ messages: [{ role: "user", content: "x" }, { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{\"a\": " } }] }, { role: "tool", tool_call_id: "c1", content: "1" }] }), 400],
  ["max_tokens string", () => chat({ max_tokens: "ten" }), 400],
  ["max_tokens negative", () => chat({ max_tokens: -1 }), 400],
  ["max_tokens zero (chat)", () => chat({ max_tokens: 0 }), 400],
  ["max_tokens huge float", () => chat({ max_tokens: 1e30 }), 400],
  ["max_tokens 2^64", () => request("POST", "/v1/chat/completions", '{"messages":[{"role":"user","content":"x"}],"max_tokens":18446744073709551616}'), 400],
  ["max_tokens over context", () => chat({ max_tokens: 100000 }), 400],
  ["temperature string", () => chat({ temperature: "hot" }), 400],
  ["temperature negative", () => chat({ temperature: -1 }), 400],
  ["temperature overflow", () => request("POST", "/v1/chat/completions", '{"messages":[{"role":"user","content":"x"}],"temperature":1e999}'), 400],
  ["top_p zero", () => chat({ top_p: 0 }), 400],
  ["top_p above one", () => chat({ top_p: 1.5 }), 400],
  ["top_k below -1", () => chat({ top_k: -5 }), 400],
  ["min_p above one", () => chat({ min_p: 2 }), 400],
  ["presence_penalty too big", () => chat({ presence_penalty: 3 }), 400],
  ["frequency_penalty too small", () => chat({ frequency_penalty: -3 }), 400],
  ["repetition_penalty zero", () => chat({ repetition_penalty: 0 }), 400],
  ["n zero", () => chat({ n: 0 }), 400],
  ["n string", () => chat({ n: "2" }), 400],
  ["n > 1 with greedy", () => chat({ n: 2, temperature: 0 }), 400],
  ["logprobs not a bool", () => chat({ logprobs: "yes" }), 400],
  ["top_logprobs too many", () => chat({ logprobs: true, top_logprobs: 50 }), 400],
  ["top_logprobs without logprobs", () => chat({ top_logprobs: 2 }), 400],
  ["empty stop string", () => chat({ stop: [""] }), 400],
  ["stop is a number", () => chat({ stop: 5 }), 400],
  ["stream_options without stream", () => chat({ stream_options: { include_usage: true } }), 400],
  ["logit_bias bad key", () => chat({ logit_bias: { abc: 1 } }), 400],
  ["logit_bias out of vocab", () => chat({ logit_bias: { "99999999": 1 } }), 400],
  ["stop_token_ids strings", () => chat({ stop_token_ids: ["a"] }), 400],
  ["seed string", () => chat({ seed: "x" }), 400],
  ["min_tokens above max_tokens", () => chat({ min_tokens: 5, max_tokens: 2 }), 400],
  ["untrusted chat_template", () => chat({ chat_template: "{{ 1 }}" }), 400],
  ["unknown model", () => chat({ model: "gpt-4" }), 404],
  ["completions empty prompt", () => completion({ prompt: "" }), 400],
  ["completions empty token list", () => completion({ prompt: [] }), 400],
  ["completions prompt missing", () => request("POST", "/v1/completions", { max_tokens: 1 }), 400],
  ["completions token out of vocab", () => completion({ prompt: [999999999] }), 400],
  ["completions negative token", () => completion({ prompt: [-1] }), 400],
  ["completions mixed prompt list", () => completion({ prompt: ["a", 1] }), 400],
  ["completions suffix", () => completion({ suffix: "x" }), 400],
  ["completions logprobs too many", () => completion({ logprobs: 100 }), 400],
  ["invalid UTF-8 in JSON", () => request("POST", "/v1/chat/completions", Buffer.concat([Buffer.from('{"messages":[{"role":"user","content":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}]}')])), 400],
  ["10 MB body", () => request("POST", "/v1/chat/completions", Buffer.alloc(10 << 20, 0x20)), 413],
  ["GET on a POST endpoint", () => request("GET", "/v1/chat/completions"), 405],
  ["PUT on /v1/models", () => request("PUT", "/v1/models", "{}"), 405],
  ["unknown path", () => request("GET", "/v1/nothing-here"), 404],
  ["wrong content type", () => request("POST", "/v1/chat/completions", JSON.stringify({ messages: MSGS }), { contentType: "text/plain" }), 400],
  ["deeply nested JSON", () => request("POST", "/v1/chat/completions", "[".repeat(20000) + "]".repeat(20000)), 400],
  ["garbage request line", () => raw(Buffer.from("BLAH\r\n\r\n")), 400],
];

for (const [name, send, status] of cases) {
  test(`hostile: ${name} -> ${status}`, async () => {
    const r = await send();
    assert.equal(r.status, status, `${name}: ${r.text.slice(0, 300)}`);
    if (status !== 413 && name !== "garbage request line") {
      const err = errorOf(r);
      assert.equal(err.error.code, status);
      assert.equal(typeof err.error.message, "string");
    }
  });
}

test("unknown role and unknown fields are accepted", async () => {
  const r = await chat({ messages: [{ role: "narrator", content: "x" }, { role: "user", content: "y" }], some_future_field: { a: 1 } });
  assert.ok(r.status === 200 || r.status === 400, r.text);
  assert.equal((await chat({ frobnicate: true, user: "me" })).status, 200);
});

test("server still healthy after the hostile cases", assertHealthy);

test("slow client: headers and body dribbled over 2 s", async () => {
  const body = JSON.stringify({ messages: MSGS, max_tokens: 2 });
  const bytes = Buffer.from(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  const r = await new Promise((resolve, reject) => {
    const sock = net.connect(PORT, HOST);
    const chunks = [];
    let i = 0;
    sock.on("connect", () => {
      const step = Math.ceil(bytes.length / 20);
      const timer = setInterval(() => {
        sock.write(bytes.subarray(i, i + step));
        i += step;
        if (i >= bytes.length) clearInterval(timer);
      }, 100);
    });
    sock.on("data", (d) => chunks.push(d));
    sock.on("error", reject);
    sock.on("close", () => resolve(Buffer.concat(chunks).toString()));
  });
  assert.match(r, /^HTTP\/1\.1 200/);
});

test("a stalled client does not block others", async () => {
  const stalled = net.connect(PORT, HOST);
  stalled.write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{");
  await assertHealthy();
  stalled.destroy();
});

function streamRequest(body) {
  const b = JSON.stringify(body);
  return `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(b)}\r\n\r\n${b}`;
}

test("disconnect mid-stream aborts the request", async () => {
  const sock = net.connect(PORT, HOST);
  let got = "";
  await new Promise((resolve, reject) => {
    sock.on("connect", () => sock.write(streamRequest({ messages: MSGS, max_tokens: 4000, ignore_eos: true, stream: true })));
    sock.on("data", (d) => {
      got += d.toString();
      if ((got.match(/data: /g) || []).length >= 3) { sock.destroy(); resolve(); }
    });
    sock.on("error", reject);
  });
  // The server logs the aborted request once it notices (within a step or two).
  const deadline = Date.now() + 10000;
  let seen = false;
  while (Date.now() < deadline && !seen) {
    await new Promise((r) => setTimeout(r, 100));
    seen = /client gone/.test(fs.readFileSync(process.env.SERVER_LOG, "utf8"));
  }
  assert.ok(seen, "no aborted request in the server log");
  await assertHealthy();
});

// The engine's thread writes tokens to the sockets itself (direct delivery) and must never wait on one:
// a client that stops reading leaves its bytes to its own HTTP thread while everyone else streams on.
// 8 choices x 4000 tokens (~7 MB of events) outgrow loopback's socket buffers.
test("a streaming client that stops reading does not hold up the others", async () => {
  const sock = net.connect(PORT, HOST);
  const chunks = [];
  let closed;
  const done = new Promise((resolve) => { closed = resolve; });
  await new Promise((resolve, reject) => {
    sock.on("connect", () => sock.write(streamRequest({ messages: MSGS, max_tokens: 4000, n: 8, ignore_eos: true, stream: true })));
    sock.once("data", (d) => { chunks.push(d); sock.pause(); resolve(); });
    sock.on("error", reject);
  });
  sock.on("data", (d) => chunks.push(d));
  sock.on("close", closed);
  await new Promise((r) => setTimeout(r, 1500));  // the stalled stream's buffers fill meanwhile
  const t0 = Date.now();
  const other = await raw(Buffer.from(streamRequest({ messages: MSGS, max_tokens: 16, ignore_eos: true, stream: true })), { timeoutMs: 20000 });
  assert.equal(other.status, 200);
  assert.match(other.text, /data: \[DONE\]/);
  assert.ok(Date.now() - t0 < 10000, `another stream took ${Date.now() - t0} ms`);
  sock.resume();  // everything kept back arrives, in order, then the end of the response
  await done;
  const text = Buffer.concat(chunks).toString("latin1");
  assert.match(text, /data: \[DONE\]/);
  assert.equal((text.match(/"finish_reason":"length"/g) || []).length, 8);
  await assertHealthy();
});

// Direct delivery under churn: chat and completions streams with n up to 3, stop strings and
// logprobs, a third of them dropped mid-stream and some read late. Every stream read to its end
// finishes with [DONE] and the closing chunk, and nothing is left running.
test("160 mixed streams with disconnects and late readers", async () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pick = (a) => a[Math.floor(rand() * a.length)];
  const one = (i) => new Promise((resolve) => {
    const chat = rand() < 0.5, n = pick([1, 1, 2, 3]);
    const body = { max_tokens: 1 + Math.floor(rand() * 120), stream: true, n, seed: i, temperature: n > 1 ? 1 : pick([0, 1]) };
    if (rand() < 0.3) body.stop = [pick(["e", "a", "the", "\n"])];
    if (rand() < 0.2) body.logprobs = chat ? true : 2;
    if (rand() < 0.3) body.stream_options = { include_usage: true };
    if (chat) body.messages = [{ role: "user", content: `hello ${i}` }]; else body.prompt = `once upon a time ${i}`;
    const b = JSON.stringify(body), path = chat ? "/v1/chat/completions" : "/v1/completions";
    const mode = rand(), sock = net.connect(PORT, HOST);
    let got = "", paused = false;
    sock.on("connect", () => sock.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(b)}\r\n\r\n${b}`));
    sock.on("data", (d) => {
      got += d.toString("latin1");
      if (mode < 0.3) { sock.destroy(); resolve(null); }
      else if (mode < 0.4 && !paused) { paused = true; sock.pause(); setTimeout(() => sock.resume(), 100 + rand() * 900); }
    });
    sock.on("error", () => resolve(null));
    sock.on("close", () => resolve(mode < 0.3 ? null : got));
  });
  const results = [];
  for (let wave = 0; wave < 4; ++wave) results.push(...await Promise.all(Array.from({ length: 40 }, (_, k) => one(wave * 40 + k))));
  const complete = results.filter((r) => r !== null);
  assert.ok(complete.length > 80, `only ${complete.length} complete streams`);
  for (const t of complete) {
    assert.match(t, /^HTTP\/1\.1 200/);
    assert.match(t, /data: \[DONE\]\n\n\r\n0\r\n\r\n$/);
  }
  const deadline = Date.now() + 10000;
  let running = "";
  while (Date.now() < deadline) {
    running = /vllm:num_requests_running\{[^}]*\} (\S+)/.exec((await request("GET", "/metrics")).body)?.[1];
    if (Number(running) === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(Number(running), 0);
  await assertHealthy();
});

test("64 concurrent streams all finish with [DONE]", async () => {
  const one = () => raw(Buffer.from(streamRequest({ messages: MSGS, max_tokens: 8, stream: true, temperature: 1, seed: 3 })), { timeoutMs: 90000 });
  const results = await Promise.all(Array.from({ length: 64 }, one));
  for (const r of results) {
    assert.equal(r.status, 200);
    assert.match(r.text, /data: \[DONE\]/);
    assert.match(r.text, /"finish_reason":"(stop|length)"/);
  }
  await assertHealthy();
});

test("health and info endpoints", async () => {
  for (const p of ["/v1/health/live", "/v1/health/ready", "/health", "/v1/version", "/version", "/v1/metadata", "/v1/models", "/v1/license", "/v1/manifest"]) {
    const r = await request("GET", p);
    assert.equal(r.status, 200, p);
  }
  // NIM's license endpoint and metadata carry the license file beside the model (hostile_http.sh writes it).
  const license = errorOf(await request("GET", "/v1/license"));
  assert.equal(license.name, "LICENSE");
  assert.equal(license.type, "file");
  assert.equal(license.content, "Test model license.\nUse freely.\n");
  assert.equal(license.size, license.content.length);
  const metadata = errorOf(await request("GET", "/v1/metadata"));
  assert.deepEqual(metadata.licenseInfo, license);
  const manifest = errorOf(await request("GET", "/v1/manifest"));
  assert.equal(manifest.profiles[0].id, metadata.selectedModelProfileId);
  assert.deepEqual(manifest.model.served_names, ["tiny"]);
  assert.equal((await request("POST", "/v1/license", "{}")).status, 405);
});
