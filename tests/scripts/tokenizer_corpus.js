// Deterministic corpus of >= 2,000 strings for the tokenizer oracle test (issue 4): multilingual scripts,
// emoji and ZWJ sequences, code, long whitespace runs, digits, contractions, special-token text inside
// ordinary text, and rare or malformed Unicode. Written for hyserve; no external text.
'use strict';

const BASE = [
  'Hello world!', 'Hello, my name is', 'The quick brown fox jumps over the lazy dog.',
  "I'm sure you'll like it; we've done it, they'd say, it's fine, don't worry, you're right.",
  "YOU'RE LOUD. I'LL SEE. We'VE, They'D, it'S", "l'homme, aujourd'hui, rock'n'roll, '90s",
  'Ça va? Élève, naïve, façade, coöperate, résumé', 'Straße, Größe, Übermut, ÄÖÜ äöü ß ẞ',
  'İstanbul, ıiIİ, Diyarbakır', 'Ελληνικά: ΟΔΥΣΣΕΥΣ, ὀδυσσεύς, σίσυφος', 'Русский текст: Съешь же ещё этих мягких булок.',
  '中文测试：我们今天去公园散步，天气很好。', '日本語のテキスト、カタカナとひらがな。東京タワー！', '한국어 텍스트입니다. 안녕하세요!',
  'العربية: مرحبا بالعالم', 'עברית: שלום עולם', 'हिन्दी: नमस्ते दुनिया', 'ภาษาไทย: สวัสดีชาวโลก',
  'Tiếng Việt: Xin chào thế giới', 'ქართული ენა', 'Հայերեն', 'ಕನ್ನಡ ತಮಿಳ் தமிழ் తెలుగు', 'አማርኛ', 'ᚠᚢᚦᚨᚱᚲ',
  '👋🌍 emoji 😀😃😄 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 🧑🏻‍💻 ❤️‍🔥 🇫🇷🇯🇵 #️⃣ 1️⃣',
  'ZWJ: 👩‍❤️‍💋‍👨 and skin tones 👋🏿👋🏾👋🏼', 'Math: ∀x∈ℝ, x²≥0; ∑ᵢ aᵢ = ∫₀¹ f(x) dx ≈ 3.14159…',
  'fullwidth: ＡＢＣ１２３！ ｶﾀｶﾅ', 'ligatures: ﬁ ﬂ ﬀ Ⅻ ½ ⁴ ㎏ ℌ ℡ ™', 'combining: e\u0301 a\u0308 o\u0303\u0304 \u1100\u1161\u11A8',
  'NFC vs NFD: \u00e9 e\u0301 \u1e9b\u0323 \u0073\u0323\u0307', 'zero width: a\u200bb\u200cc\u200dd\ufeffe \u2060',
  'controls: \u0000\u0001\u0007\u001b[31mred\u001b[0m \u007f', 'bidi: \u202eevil\u202c \u200f\u200e',
  'private use: \ue000\uf8ff \u{F0000} nonchar: \ufffe\uffff \u{10FFFF} replacement: \ufffd',
  'variation: ☺︎ ☺️ ✌︎ ✌️', 'old scripts: 𐌰𐌱𐌲 𓀀𓀁 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕳𝖊𝖑𝖑𝖔', 'lone surrogates: \ud800 x \udfff y \ud83d',
  '#include <vector>\nint main() {\n    std::vector<int> v{1, 2, 3};\n    return v.size() > 2 ? 0 : 1;\n}\n',
  'def f(x):\n\tif x > 0:\n\t\treturn x ** 2  # square\n\treturn -x\n', 'for (let i = 0; i < n; ++i) { sum += a[i] * b[i]; }',
  '{"model": "nemotron", "messages": [{"role": "user", "content": "hi"}], "temperature": 0.7}',
  '<html><body><p class="x">Hello &amp; goodbye</p></body></html>', 'SELECT * FROM users WHERE id = 42 AND name LIKE \'%bob%\';',
  'x = 1_000_000; y = 0xDEADBEEF; z = 3.5e-10; w = -0.0; v = 1e+308', 'path: C:\\Users\\me\\file.txt /usr/local/bin',
  'url: https://example.com/a/b?c=d&e=f#g mailto:someone@example.org', 'regex: ^\\s*(\\d+)\\s*$ | [A-Za-z_][A-Za-z0-9_]*',
  '    four spaces', '\t\ttabs\t\there', 'trailing spaces    ', '   ', '\n\n\n', '\r\n\r\n', ' \n \n ', '\u00a0\u00a0nbsp\u3000ideographic',
  '1234567890', '3.14159265358979', '1,000,000.00', '2024-01-31T12:34:56Z', '+1 (555) 123-4567', '007 0 00 000 0000 00000',
  '١٢٣٤٥ ०१२३ 一二三 ⅠⅡⅢ ①②③', 'a1b2c3 1a2b3c 12ab34cd',
  '<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n', '<s>[INST] hi [/INST]</s>', '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are helpful.<|eot_id|>',
  'text <|endoftext|> more', 'partial <|im_sta and <|eot_ and </ s> < s >', '<think>reasoning</think> answer', '<tool_call>{"name": "f"}</tool_call>',
  'nested <<s>> <|<|im_end|>|> <s><s></s></s>', '  <s>  spaced  </s>  ', 'x<unk>y <pad> [CLS] [SEP] [MASK]',
  '', ' ', 'a', '.', '\'', '\'s', 'ĠHello Ċ', '▁leading ▁metaspace ▁▁', '<0x41> <0xE2><0x82><0xAC>',
];

const FRAGMENTS = [
  'the', 'model', 'tokenizer', ' and ', 'of', 'Ünïcödé', '数据', 'テスト', '데이터', 'данные', 'δεδομένα', 'بيانات', '😀', '👨‍💻',
  '🏳️‍⚧️', '\u0301', 'e\u0301', '\u00e9', 'ﬁ', '１', '²', 'İ', 'ς', 'Σ', '\u200d', '\ufeff', '<s>', '</s>', '<|im_start|>', '<|im_end|>',
  '<|eot_id|>', '<|begin_of_text|>', '<|endoftext|>', '<think>', 'don\'t', 'I\'VE', '\'ll', '123', '4567', '89', '3.0', '-', '--', '...',
  '!!!', '?', '()', '{}', '[]', '<>', '=>', '::', '->', '#', '//', '/*', '*/', '\\n', '\\', '"', '`', '~', '$', '%', '^', '&', '*', '_',
  'std::string', 'self.x', 'return', 'nullptr', 'True', 'NaN', '0x1F', 'ABC', 'abc', 'aBc', 'CamelCaseWord', 'snake_case_word',
];

const WHITESPACE = [' ', '  ', '   ', '\t', '\n', '\r\n', ' \n', '\n ', '\n\n', '\t ', '\u00a0', '\u3000', '\u2009', '\u000b', '\u000c'];

function mulberry32(seed) {
  return function () {
    seed |= 0; seed = (seed + 0x6D2B79F5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Code point ranges to draw random characters from (Latin, Greek, Cyrillic, CJK, Hangul, emoji, marks, ...).
const RANGES = [[0x20, 0x7e], [0xa0, 0x17f], [0x300, 0x36f], [0x370, 0x3ff], [0x400, 0x4ff], [0x590, 0x6ff], [0x900, 0x97f],
  [0xe00, 0xe7f], [0x1100, 0x11ff], [0x2000, 0x206f], [0x2190, 0x22ff], [0x3040, 0x30ff], [0x4e00, 0x9fff], [0xac00, 0xd7a3],
  [0xf900, 0xfaff], [0xfb00, 0xfb4f], [0xff00, 0xffef], [0x1f300, 0x1faff], [0x10000, 0x1007f], [0xe0000, 0xe007f]];

function randomChars(rnd, n) {
  let s = '';
  for (let i = 0; i < n; i++) {
    const [lo, hi] = RANGES[Math.floor(rnd() * RANGES.length)];
    s += String.fromCodePoint(lo + Math.floor(rnd() * (hi - lo + 1)));
  }
  return s;
}

function buildCorpus(count = 2400) {
  const rnd = mulberry32(20261126);
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  const out = [...BASE];
  while (out.length < count) {
    const kind = out.length % 8;
    let s = '';
    if (kind === 0) {  // fragments joined by random whitespace
      const n = 1 + Math.floor(rnd() * 8);
      for (let i = 0; i < n; i++) s += (i ? pick(WHITESPACE) : '') + pick(FRAGMENTS);
    } else if (kind === 1) {  // fragments glued together
      const n = 2 + Math.floor(rnd() * 6);
      for (let i = 0; i < n; i++) s += pick(FRAGMENTS);
    } else if (kind === 2) {  // random code points
      s = randomChars(rnd, 1 + Math.floor(rnd() * 24));
    } else if (kind === 3) {  // long whitespace runs around words
      s = pick(FRAGMENTS) + pick(WHITESPACE).repeat(1 + Math.floor(rnd() * 40)) + pick(FRAGMENTS) + ' '.repeat(Math.floor(rnd() * 70));
    } else if (kind === 4) {  // digit strings
      const len = 1 + Math.floor(rnd() * 30);
      for (let i = 0; i < len; i++) s += String(Math.floor(rnd() * 10));
      if (rnd() < 0.5) s = pick(FRAGMENTS) + s + pick(['.', ',', ' ', 'px', '%']);
    } else if (kind === 5) {  // a slice of a base string
      const b = pick(BASE);
      const i = Math.floor(rnd() * (b.length + 1));
      s = b.slice(i, i + 1 + Math.floor(rnd() * 40));
    } else if (kind === 6) {  // two base strings joined, with special tokens between
      s = pick(BASE) + pick(['', ' ', '\n']) + pick(['<s>', '<|im_start|>', '<|eot_id|>', '</s>', '']) + pick(BASE);
    } else {  // mixed script words with apostrophes and case changes
      const n = 1 + Math.floor(rnd() * 5);
      for (let i = 0; i < n; i++) {
        let w = pick(FRAGMENTS);
        if (rnd() < 0.3) w = w.toUpperCase();
        s += w + pick(["'s", "'T", "'re", "'VE", ' ', '', "'", ' \'m']) + pick(WHITESPACE);
      }
    }
    out.push(s);
  }
  // JS strings may hold lone surrogates; both sides see them as U+FFFD (what the Rust binding receives).
  return out.map((s) => s.toWellFormed());
}

module.exports = { buildCorpus };
