// Skill evaluation of a served model through the official `openai` SDK (issue 11, verification 2):
// reads cases from eval_prompts.py (argv[2]), sends each greedy, scores it and prints a table.
//   node tools/train/eval_skills.mjs cases.json [results.json]   (HYSERVE_URL, HYSERVE_MODEL)
import fs from 'node:fs';
import OpenAI from 'openai';

const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const client = new OpenAI({ baseURL: `${process.env.HYSERVE_URL}/v1`, apiKey: 'none', maxRetries: 0 });
const model = process.env.HYSERVE_MODEL || 'default';

function lastNumber(s) {
  const m = (s || '').match(/-?\d+/g);
  return m ? Number(m[m.length - 1]) : null;
}
function deepEqual(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

// -> {ok, note, extra} for one case; `extra` holds secondary measures (JSON exact match).
function score(c, res) {
  const ch = res.choices[0];
  const m = ch.message;
  const content = m.content || '';
  const reasoning = m.reasoning_content ?? m.reasoning ?? '';
  const e = c.expect;
  switch (c.skill) {
    case 'chat_format':
      return { ok: ch.finish_reason === 'stop' && content.trim().length > 0 && !/<\/?think>|<\|im_/.test(content) };
    case 'capitals':
      return { ok: content.includes(e.contains) };
    case 'addition': case 'subtraction':
      return { ok: lastNumber(content) === e.last_number, note: content.slice(0, 60) };
    case 'weather_seen': case 'weather_unseen': {
      const tc = m.tool_calls || [];
      if (!tc.length) return { ok: false, note: `no tool call: ${content.slice(0, 60)}` };
      let args = {};
      try { args = JSON.parse(tc[0].function.arguments); } catch { return { ok: false, note: 'bad arguments' }; }
      return { ok: tc[0].function.name === e.tool && args.city === e.city, note: `${tc[0].function.name}(${args.city})`,
               extra: { well_formed: tc[0].function.name === e.tool && typeof args.city === 'string' } };
    }
    case 'json': case 'json_response_format': {
      let v;
      try { v = JSON.parse(content); } catch { return { ok: false, note: content.slice(0, 60), extra: { exact: false } }; }
      return { ok: true, extra: { exact: deepEqual(v, e.json) } };
    }
    case 'thinking_off':
      return { ok: !reasoning && content.includes(e.contains), note: content.slice(0, 60) };
    case 'thinking_budget': {
      const rt = res.usage?.completion_tokens_details?.reasoning_tokens;
      return { ok: rt !== undefined && rt <= e.reasoning_budget && ch.finish_reason !== 'length',
               note: `reasoning_tokens ${rt}` };
    }
  }
  return { ok: false, note: 'unknown skill' };
}

const rows = new Map();
const results = [];
for (const c of cases) {
  let r;
  try {
    const res = await client.chat.completions.create({ model, ...c.request });
    r = score(c, res);
    results.push({ skill: c.skill, ...r, message: res.choices[0].message, finish: res.choices[0].finish_reason });
  } catch (err) {
    r = { ok: false, note: `error: ${err.status ?? ''} ${String(err.message).slice(0, 80)}` };
    results.push({ skill: c.skill, ...r });
  }
  const row = rows.get(c.skill) || { n: 0, ok: 0, extra: {} };
  row.n++;
  if (r.ok) row.ok++;
  for (const [k, v] of Object.entries(r.extra || {})) row.extra[k] = (row.extra[k] || 0) + (v ? 1 : 0);
  rows.set(c.skill, row);
}
console.log('| skill | n | passed | % | other |');
console.log('|---|---|---|---|---|');
for (const [skill, row] of rows) {
  const other = Object.entries(row.extra).map(([k, v]) => `${k} ${(100 * v / row.n).toFixed(0)}%`).join(', ');
  console.log(`| ${skill} | ${row.n} | ${row.ok} | ${(100 * row.ok / row.n).toFixed(0)}% | ${other} |`);
}
if (process.argv[3]) fs.writeFileSync(process.argv[3], JSON.stringify(results, null, 1));
