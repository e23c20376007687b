// Regenerates tests/data/tokenizer/fixtures/*.json (tiny hand-specified tokenizer.json files, one per
// component configuration) and tests/data/tokenizer/fixture_cases.json (what HF tokenizers, Rust, via
// npm @anush008/tokenizers, answers for each fixture and test string). The C++ unit tests
// (tests/unit/tokenizer/fixture_test.cpp) check hyserve against these answers without needing node.
// Usage: node tests/scripts/gen_tokenizer_fixtures.js
'use strict';
const fs = require('fs');
const path = require('path');
const { Tokenizer } = require('@anush008/tokenizers');

const outDir = path.resolve(__dirname, '../data/tokenizer/fixtures');

// GPT-2 byte-level alphabet.
function byteAlphabet() {
  const out = [];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    const keep = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    out.push(String.fromCodePoint(keep ? b : 256 + n++));
  }
  return out;
}

// A vocab from base symbols plus merges (each merge adds its concatenation).
function bpe(base, merges, extra = {}) {
  const vocab = {};
  for (const t of base) if (!(t in vocab)) vocab[t] = Object.keys(vocab).length;
  const prefix = extra.continuing_subword_prefix || '';
  for (const [a, b] of merges) {
    const m = a + (prefix && b.startsWith(prefix) ? b.slice(prefix.length) : b);
    if (!(m in vocab)) vocab[m] = Object.keys(vocab).length;
  }
  return { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
           fuse_unk: false, byte_fallback: false, ignore_merges: false, ...extra, vocab, merges };
}

const ascii = [];
for (let c = 0x20; c < 0x7f; c++) ascii.push(String.fromCharCode(c));
const bytes = [];
for (let b = 0; b < 256; b++) bytes.push('<0x' + b.toString(16).toUpperCase().padStart(2, '0') + '>');
const MS = '\u2581';
const G = '\u0120';

function added(id, content, o = {}) {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true, ...o };
}
function template(tokens, pre, post) {
  const piece = (t) => ({ SpecialToken: { id: t, type_id: 0 } });
  const special = {};
  for (const [t, id] of tokens) special[t] = { id: t, ids: [id], tokens: [t] };
  return { type: 'TemplateProcessing', single: [...pre.map(piece), { Sequence: { id: 'A', type_id: 0 } }, ...post.map(piece)],
           pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }], special_tokens: special };
}
function tokenizerJson(model, o) {
  return { version: '1.0', truncation: null, padding: null, added_tokens: o.added || [], normalizer: o.normalizer || null,
           pre_tokenizer: o.pre || null, post_processor: o.post || null, decoder: o.decoder || null, model };
}
const split = (pattern, behavior, invert = false) => ({ type: 'Split', pattern, behavior, invert });

const FIXTURES = {};
{
  const base = byteAlphabet();
  const merges = [[G, 't'], ['h', 'e'], [G + 't', 'he'], ['l', 'l'], ['ll', 'o'], ['he', 'llo'], [G, 'hello'], ['w', 'o'], ['r', 'l'], ['wo', 'rl']];
  const m = bpe(base, merges);
  const n = Object.keys(m.vocab).length;
  FIXTURES.bytelevel = tokenizerJson(m, {
    added: [added(n, '<s>'), added(n + 1, '</s>'), added(n + 2, '<|im_start|>'),
            added(n + 3, '[U]', { special: false, normalized: true, lstrip: true, rstrip: true }),
            added(n + 4, 'foo', { special: false, single_word: true })],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { String: '``' }, content: '"' }] },
    pre: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    post: template([['<s>', n], ['</s>', n + 1]], ['<s>'], ['</s>']),
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true } });
  const m2 = bpe(base, merges, { ignore_merges: true });
  m2.vocab[G + 'world'] = Object.keys(m2.vocab).length;  // reachable only through ignore_merges
  FIXTURES.bytelevel_split_ignore_merges = tokenizerJson(m2, {
    normalizer: { type: 'NFKC' },
    pre: { type: 'Sequence', pretokenizers: [
      split({ Regex: "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+" }, 'Isolated'),
      { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false }] },
    post: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true } });
}
{
  const base = ['<unk>', '<s>', '</s>', ...bytes, MS, ...ascii.filter((c) => c !== ' '), 'é', 'ß'];
  const merges = [[MS, 'h'], ['e', 'l'], ['el', 'l'], ['ell', 'o'], [MS + 'h', 'ello'], [MS, 'w'], ['o', 'r'], [MS + 'w', 'or'], [MS, MS]];
  const spm = (extra) => bpe(base, merges, { unk_token: '<unk>', byte_fallback: true, fuse_unk: true, ...extra });
  const specials = [added(0, '<unk>'), added(1, '<s>'), added(2, '</s>')];
  FIXTURES.metaspace_first = tokenizerJson(spm({}), {
    added: specials, normalizer: { type: 'Sequence', normalizers: [{ type: 'Lowercase' }, { type: 'Strip', strip_left: false, strip_right: true }] },
    pre: { type: 'Metaspace', replacement: MS, prepend_scheme: 'first', split: true },
    post: template([['<s>', 1]], ['<s>'], []),
    decoder: { type: 'Metaspace', replacement: MS, prepend_scheme: 'first', split: true } });
  FIXTURES.metaspace_always_nosplit = tokenizerJson(spm({}), {
    added: specials, pre: { type: 'Metaspace', replacement: MS, prepend_scheme: 'always', split: false },
    post: template([['<s>', 1], ['</s>', 2]], ['<s>'], ['</s>']),
    decoder: { type: 'Sequence', decoders: [{ type: 'Replace', pattern: { String: MS }, content: ' ' }, { type: 'ByteFallback' },
                                            { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }] } });
  FIXTURES.metaspace_never_bert = tokenizerJson(spm({}), {
    added: specials, pre: { type: 'Metaspace', replacement: MS, prepend_scheme: 'never', split: true },
    post: { type: 'Sequence', processors: [{ type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
                                           { type: 'BertProcessing', sep: ['</s>', 2], cls: ['<s>', 1] }] },
    decoder: { type: 'Metaspace', replacement: MS, prepend_scheme: 'never', split: true } });
  FIXTURES.metaspace_legacy_prefix = tokenizerJson(spm({}), {
    added: specials, pre: { type: 'Metaspace', replacement: MS, add_prefix_space: true },
    post: { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 1], trim_offsets: true, add_prefix_space: true },
    decoder: { type: 'Metaspace', replacement: MS, add_prefix_space: true } });
  FIXTURES.spm_normalizer_unk = tokenizerJson(spm({ byte_fallback: false, fuse_unk: false }), {
    added: specials, normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: MS }, { type: 'Replace', pattern: { String: ' ' }, content: MS }] },
    decoder: { type: 'Sequence', decoders: [{ type: 'Replace', pattern: { Regex: MS + '+' }, content: ' ' }, { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }] } });
}
{
  const base = ['<unk>', ...ascii, 'é', 'e', '\u0301', 'ß', 'ς', 'σ', 'α', 'ı', 'i', '\u0307'];
  const merges = [['h', 'e'], ['l', 'l'], ['he', 'll'], ['hell', 'o'], ['1', '2'], ['12', '3']];
  const chars = (extra) => bpe(base, merges, { unk_token: '<unk>', ...extra });
  const specials = [added(0, '<unk>')];
  const pre = (p) => tokenizerJson(chars({ fuse_unk: true }), { added: specials, pre: p });
  FIXTURES.whitespace_split_punct_digits = pre({ type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Punctuation', behavior: 'Isolated' }, { type: 'Digits', individual_digits: false }] });
  FIXTURES.whitespace = tokenizerJson(chars({}), { added: specials, normalizer: { type: 'Sequence', normalizers: [{ type: 'NFKD' }, { type: 'Lowercase' }] }, pre: { type: 'Whitespace' } });
  FIXTURES.bert = pre({ type: 'BertPreTokenizer' });
  FIXTURES.chardelim_digits_individual = pre({ type: 'Sequence', pretokenizers: [{ type: 'CharDelimiterSplit', delimiter: '|' }, { type: 'Digits', individual_digits: true }, { type: 'Punctuation', behavior: 'MergedWithPrevious' }] });
  for (const b of ['Removed', 'Isolated', 'MergedWithPrevious', 'MergedWithNext', 'Contiguous'])
    FIXTURES['split_' + b] = pre({ type: 'Sequence', pretokenizers: [split({ Regex: '[-,]' }, b), split({ String: 'x' }, b)] });
  FIXTURES.split_invert = pre({ type: 'Sequence', pretokenizers: [split({ Regex: '\\p{L}+' }, 'Removed', true), split({ Regex: '\\d' }, 'MergedWithNext', true)] });
  const pfx = { continuing_subword_prefix: '##', end_of_word_suffix: '</w>' };
  const wp = bpe(['<unk>', ...ascii, ...ascii.map((c) => '##' + c), ...ascii.map((c) => c + '</w>'), ...ascii.map((c) => '##' + c + '</w>')],
                [['h', '##e'], ['##l', '##l'], ['##l', '##o</w>'], ['he', '##ll'], ['hell', '##o</w>']], { unk_token: '<unk>', ...pfx });
  FIXTURES.prefix_suffix = tokenizerJson(wp, { added: specials, pre: { type: 'WhitespaceSplit' } });
}

const TEXTS = [
  'Hello world', 'hello  world!!', '  leading and trailing  ', 'a-b-c,d', 'x--y,,z-', 'xx-x', '123 4567 89', '3.14-2,718',
  "don't STOP, it's", 'ÉCOLE café ﬁne ２０２４', 'é vs e\u0301', 'tab\tnew\nline\r\n', '<s>hi</s>', '<|im_start|>user hi',
  'say [U] now', 'say[U]now', ' [U] ', 'foo bar foobar barfoo foo_bar (foo) foo', 'emoji 😀 ok', '中文', '', ' ', '  ',
  'ΣΑΣ σας', 'İstanbul', 'a|b||c', 'x\u00a0y', '``quoted``', 'hello hello', 'Hello World', 'a1b22c333', 'end.',
];

(async () => {
  fs.mkdirSync(outDir, { recursive: true });
  const cases = [];
  for (const [name, json] of Object.entries(FIXTURES)) {
    const file = path.join(outDir, name + '.json');
    fs.writeFileSync(file, JSON.stringify(json) + '\n');
    const t = Tokenizer.fromFile(file);
    for (const text of TEXTS) {
      const ids = (await t.encode(text, null, { addSpecialTokens: false })).getIds();
      const idsSpecial = (await t.encode(text, null, { addSpecialTokens: true })).getIds();
      cases.push({ fixture: name, text, ids, ids_special: idsSpecial, decoded: await t.decode(ids, false),
                   decoded_skip_special: await t.decode(idsSpecial, true) });
    }
  }
  fs.writeFileSync(path.resolve(outDir, '../fixture_cases.json'), JSON.stringify(cases, null, 0).replace(/\},\{/g, '},\n{') + '\n');
  console.log(`${Object.keys(FIXTURES).length} fixtures, ${cases.length} cases`);
})().catch((e) => { console.error(e); process.exit(1); });
