"""The trained model as a HF directory (spec/model.md §3 names) and back: experts are held stacked
[E, out, in] in training and stored one tensor per expert; vectors stay fp32 whatever the matrix dtype."""
import json
import os
import re
import shutil

import torch

from model import NemotronH
from st_io import load_file, save_file

_STACKED = re.compile(r"^(.*\.mixer)\.(up|down)$")
_EXPERT = re.compile(r"^(.*\.mixer)\.experts\.(\d+)\.(up|down)_proj\.weight$")


def save_hf(model, config, tokenizer_dir, out, dtype="float32"):
    dt = {"float32": torch.float32, "bfloat16": torch.bfloat16}[dtype]
    c = dict(config, torch_dtype=dtype)
    tensors = {}
    for k, v in model.state_dict().items():
        m = _STACKED.match(k)
        if m:
            for e in range(v.shape[0]):
                tensors[f"{m.group(1)}.experts.{e}.{m.group(2)}_proj.weight"] = v[e].to(dt).contiguous()
        elif v.dim() >= 2:
            tensors[k] = v.to(dt).contiguous()
        else:
            tensors[k] = v.float().contiguous()
    os.makedirs(out, exist_ok=True)
    save_file(tensors, os.path.join(out, "model.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(c, f, indent=2)
        f.write("\n")
    for n in ["tokenizer.json", "tokenizer_config.json", "generation_config.json"]:
        shutil.copy(os.path.join(tokenizer_dir, n), os.path.join(out, n))


def load_hf(hf_dir):
    """-> NemotronH in fp32 (bf16 weights widened exactly), eval mode."""
    c = json.load(open(os.path.join(hf_dir, "config.json")))
    model = NemotronH(c)
    t = load_file(os.path.join(hf_dir, "model.safetensors"))
    sd, experts = {}, {}
    for k, v in t.items():
        m = _EXPERT.match(k)
        if m:
            experts.setdefault((m.group(1), m.group(3)), {})[int(m.group(2))] = v.float()
        else:
            sd[k] = v.float()
    for (base, which), d in experts.items():
        sd[f"{base}.{which}"] = torch.stack([d[e] for e in range(len(d))])
    model.load_state_dict(sd)
    model.eval()
    return model
