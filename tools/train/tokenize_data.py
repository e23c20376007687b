"""Tokenizing the generated conversations with the model's tokenizer.json, with a per-token mask of
what the model is trained to produce (assistant turns and prose) versus what it only reads (system,
user and tool turns).

Two encoders: Hugging Face `tokenizers` where installed (the GPU machine has it), else a small
byte-level BPE in pure Python (Debian's python3 lacks `tokenizers`). `check` compares both and
hyserve's own tokenizer on a sample, so the three agree on the training text."""
import json
import lzma
import re

import numpy as np

try:
    import regex as _re_unicode  # \p{L} support for the pure-Python encoder
except ImportError:  # pragma: no cover
    _re_unicode = None


def _bytes_to_unicode():
    # GPT-2 byte-level alphabet: printable bytes map to themselves, the rest to 256+n.
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


class PyBpe:
    def __init__(self, tokenizer_json):
        tj = json.load(open(tokenizer_json))
        self.vocab = tj["model"]["vocab"]
        merges = tj["model"]["merges"]
        self.ranks = {}
        for i, m in enumerate(merges):
            a, b = m.split(" ") if isinstance(m, str) else m
            self.ranks[(a, b)] = i
        self.specials = {t["content"]: t["id"] for t in tj["added_tokens"]}
        self.special_re = re.compile("(" + "|".join(re.escape(s) for s in sorted(self.specials, key=len, reverse=True)) + ")")
        split = [p for p in tj["pre_tokenizer"]["pretokenizers"] if p["type"] == "Split"][0]
        self.split_re = _re_unicode.compile(split["pattern"]["Regex"])
        self.b2u = _bytes_to_unicode()
        self.cache = {}

    def _bpe(self, piece):
        if piece in self.cache:
            return self.cache[piece]
        word = [self.b2u[b] for b in piece.encode("utf-8")]
        while len(word) > 1:
            best, bi = None, -1
            for i in range(len(word) - 1):
                r = self.ranks.get((word[i], word[i + 1]))
                if r is not None and (best is None or r < best):
                    best, bi = r, i
            if best is None:
                break
            word = word[:bi] + [word[bi] + word[bi + 1]] + word[bi + 2:]
        ids = [self.vocab[w] for w in word]
        self.cache[piece] = ids
        return ids

    def encode(self, text):
        out = []
        for part in self.special_re.split(text):
            if not part:
                continue
            if part in self.specials:
                out.append(self.specials[part])
                continue
            for m in self.split_re.finditer(part):
                out += self._bpe(m.group(0))
        return out


class HfBpe:
    def __init__(self, tokenizer_json):
        from tokenizers import Tokenizer
        self.tok = Tokenizer.from_file(tokenizer_json)

    def encode(self, text):
        return self.tok.encode(text, add_special_tokens=False).ids

    def encode_batch(self, texts):
        return [e.ids for e in self.tok.encode_batch(texts, add_special_tokens=False)]


def make_encoder(tokenizer_json, prefer="auto"):
    if prefer in ("auto", "hf"):
        try:
            return HfBpe(tokenizer_json)
        except ImportError:
            if prefer == "hf":
                raise
    return PyBpe(tokenizer_json)


_ASSISTANT = re.compile(r"<\|im_start\|>assistant\n(.*?<\|im_end\|>)", re.S)


def segments(doc):
    """(text, trained) pieces of one document. Cuts fall next to special tokens, where the
    pre-tokenizer splits anyway, so encoding the pieces separately gives the whole text's ids."""
    text = doc["text"]
    if doc.get("prose"):
        return [(text, True)]
    out, pos = [], 0
    for m in _ASSISTANT.finditer(text):
        out.append((text[pos:m.start(1)], False))
        out.append((m.group(1), True))
        pos = m.end(1)
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def read_docs(path):
    opener = lzma.open if path.endswith(".xz") else open
    with opener(path, "rt") as f:
        for line in f:
            yield json.loads(line)


def tokenize_docs(docs, enc):
    """-> list of (ids uint16 array, trained uint8 array)."""
    docs = list(docs)
    pieces, owners = [], []
    for i, d in enumerate(docs):
        for text, trained in segments(d):
            pieces.append((text, trained))
            owners.append(i)
    if hasattr(enc, "encode_batch"):
        ids_list = enc.encode_batch([p[0] for p in pieces])
    else:
        ids_list = [enc.encode(p[0]) for p in pieces]
    out = [([], []) for _ in docs]
    for (text, trained), ids, i in zip(pieces, ids_list, owners):
        out[i][0].extend(ids)
        out[i][1].extend([1 if trained else 0] * len(ids))
    return [(np.array(a, dtype=np.uint16), np.array(b, dtype=np.uint8)) for a, b in out]
