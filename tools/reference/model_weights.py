"""Loads a model (HF directory or GGUF file) into one set of logical float64 arrays, shapes as in
spec/model.md §3 (PyTorch [out, in]). Logical names (per layer dict):

  every layer: norm [D]
  M: in_proj [2Di+2GN+Hm, D], conv_w [Cd, K], conv_b [Cd], dt_bias [Hm], A [Hm] (= −exp(A_log)),
     D [Hm], gnorm [Di], out_proj [D, Di]
  *: q [Hq·dh, D], k [Hkv·dh, D], v [Hkv·dh, D], o [D, Hq·dh]
  -: up [F, D], down [D, F]
  E: gate [E, D], bias [E], up_exps [E, Fe, Lt], down_exps [E, Lt, Fe], sh_up [Fs, D], sh_down [D, Fs],
     fc1 [Lt, D] / fc2 [D, Lt] (LatentMoE only, else None)
"""
import os
from dataclasses import dataclass

import numpy as np

from gguf_reader import read_gguf
from model_config import config_from_gguf, config_from_hf
from safetensors_reader import read_safetensors


class WeightsError(Exception):
    pass


@dataclass
class Weights:
    cfg: object
    embed: np.ndarray  # [V, D]
    norm_f: np.ndarray  # [D]
    lm_head: np.ndarray  # [V, D] (the embedding matrix when tied)
    layers: list  # one dict per layer, names above
    mtp: dict = None  # enorm, hnorm, eh_proj [D, 2D], layers (list of dicts), final_norm


def _take(tensors, name, shape, where):
    if name not in tensors:
        raise WeightsError(f"{where}: missing tensor {name}")
    t = tensors[name]
    if tuple(t.shape) == tuple(shape):
        return t
    # Only the layout changes of spec §3: size-1 axes (HF conv [Cd,1,K], GGUF ssm_a/ssm_d [Hm,1]) and
    # GGUF's per-group Mamba norm [G, Di/G] -> [Di]. Anything else (e.g. a transposed matrix with the
    # same element count) is an error, not a reshape.
    squeezed = [d for d in t.shape if d != 1] == [d for d in shape if d != 1]
    group_norm = name.endswith("ssm_norm.weight") and len(shape) == 1 and t.size == shape[0]
    if not (squeezed or group_norm):
        raise WeightsError(f"{where}: tensor {name} has shape {list(t.shape)}, expected {list(shape)}")
    return t.reshape(shape)


# ---- name table: spec §3 (HF name under "<layer>.mixer.", GGUF name under "blk.N.", logical shape) -------


def _shapes(c, layer):
    Lt, F = c.Lt or c.D, c.mlp_width(layer) if c.F else 0
    return {
        "M": [("in_proj", "in_proj.weight", "ssm_in.weight", [2 * c.Di + 2 * c.G * c.N + c.Hm, c.D]),
              ("conv_w", "conv1d.weight", "ssm_conv1d.weight", [c.Cd, c.K]),  # HF [Cd,1,K] squeezed
              ("conv_b", "conv1d.bias", "ssm_conv1d.bias", [c.Cd]),
              ("dt_bias", "dt_bias", "ssm_dt.bias", [c.Hm]),
              ("A", "A_log", "ssm_a", [c.Hm]),  # HF stores A_log, GGUF −exp(A_log); fixed up below
              ("D", "D", "ssm_d", [c.Hm]),
              ("gnorm", "norm.weight", "ssm_norm.weight", [c.Di]),  # GGUF [G, Di/G] flattened
              ("out_proj", "out_proj.weight", "ssm_out.weight", [c.D, c.Di])],
        "*": [("q", "q_proj.weight", "attn_q.weight", [c.Hq * c.dh, c.D]),
              ("k", "k_proj.weight", "attn_k.weight", [c.Hkv * c.dh, c.D]),
              ("v", "v_proj.weight", "attn_v.weight", [c.Hkv * c.dh, c.D]),
              ("o", "o_proj.weight", "attn_output.weight", [c.D, c.Hq * c.dh])],
        "-": [("up", "up_proj.weight", "ffn_up.weight", [F, c.D]),
              ("down", "down_proj.weight", "ffn_down.weight", [c.D, F])],
        "E": [("gate", "gate.weight", "ffn_gate_inp.weight", [c.E, c.D]),
              ("bias", "gate.e_score_correction_bias", "exp_probs_b.bias", [c.E]),
              ("up_exps", "experts.{e}.up_proj.weight", "ffn_up_exps.weight", [c.E, c.Fe, Lt]),
              ("down_exps", "experts.{e}.down_proj.weight", "ffn_down_exps.weight", [c.E, Lt, c.Fe]),
              ("sh_up", "shared_experts.up_proj.weight", "ffn_up_shexp.weight", [c.Fs, c.D]),
              ("sh_down", "shared_experts.down_proj.weight", "ffn_down_shexp.weight", [c.D, c.Fs])]
        + ([("fc1", "fc1_latent_proj.weight", "ffn_latent_down.weight", [Lt, c.D]),
            ("fc2", "fc2_latent_proj.weight", "ffn_latent_up.weight", [c.D, Lt])] if c.Lt else []),
    }


def _layer(t, kind, cfg, layer, norm_name, name_of, where):
    """One layer's logical arrays; name_of(hf_suffix, gguf_suffix) gives the stored tensor name."""
    L = {"kind": kind, "norm": _take(t, norm_name, [cfg.D], where), "fc1": None, "fc2": None}
    for key, hf, gguf, shape in _shapes(cfg, layer)[kind]:
        if "{e}" in hf and name_of(hf, gguf) is None:  # HF keeps one tensor per expert: stack them
            L[key] = np.stack([_take(t, name_of(hf.format(e=e), gguf), shape[1:], where) for e in range(cfg.E)])
        else:
            L[key] = _take(t, name_of(hf, gguf), shape, where)
    return L


# ---- HF safetensors ---------------------------------------------------------------------------------


def _hf_mixer(t, pre, kind, cfg, layer, where):
    """Tensors of one trunk or MTP layer whose names start with `pre` (e.g. 'backbone.layers.3.')."""
    L = _layer(t, kind, cfg, layer, pre + "norm.weight",
               lambda hf, gguf: None if "{e}" in hf else pre + "mixer." + hf, where)
    if kind == "M":
        L["A"] = -np.exp(L["A"])  # §2.2.5: A = −exp(A_log)
    return L


def load_hf(model_dir):
    cfg = config_from_hf(os.path.join(model_dir, "config.json"))
    t = {}
    for name in sorted(os.listdir(model_dir)):
        if name.endswith(".safetensors"):
            t.update(read_safetensors(os.path.join(model_dir, name)))
    where = model_dir
    # Multimodal wrappers prefix everything with "language_model." (§3).
    if "language_model.backbone.embeddings.weight" in t:
        t = {k[len("language_model."):]: v for k, v in t.items() if k.startswith("language_model.")}
    c = cfg
    embed = _take(t, "backbone.embeddings.weight", [c.V, c.D], where)
    layers = [_hf_mixer(t, f"backbone.layers.{i}.", kind, c, i, where) for i, kind in enumerate(c.pattern)]
    lm_head = embed if c.tie_embeddings else _take(t, "lm_head.weight", [c.V, c.D], where)
    mtp = None
    if c.mtp_pattern:
        # One MTP depth, flattened as mtp.layers.{i} for i over the MTP pattern (§3).
        n = len(c.mtp_pattern)
        mtp = {
            "enorm": _take(t, "mtp.layers.0.enorm.weight", [c.D], where),
            "hnorm": _take(t, "mtp.layers.0.hnorm.weight", [c.D], where),
            "eh_proj": _take(t, "mtp.layers.0.eh_proj.weight", [c.D, 2 * c.D], where),
            "layers": [_hf_mixer(t, f"mtp.layers.{i}.", kind, c, 0, where) for i, kind in enumerate(c.mtp_pattern)],
            "final_norm": _take(t, f"mtp.layers.{n - 1}.final_layernorm.weight", [c.D], where),
        }
    return Weights(cfg, embed, _take(t, "backbone.norm_f.weight", [c.D], where), lm_head, layers, mtp)


# ---- GGUF (spec §3, right column) ------------------------------------------------------------------


def _gguf_block(t, i, kind, cfg, where):
    b = f"blk.{i}."
    return _layer(t, kind, cfg, i, b + "attn_norm.weight", lambda hf, gguf: b + gguf, where)


def _gguf_optional_weight(t, name):
    """The spec's GGUF MTP names sometimes omit '.weight' ([U] in spec §3): accept both spellings."""
    return name + ".weight" if name + ".weight" in t else name


def load_gguf(path):
    meta, t = read_gguf(path)
    cfg = config_from_gguf(meta, t, path)
    c = cfg
    embed = _take(t, "token_embd.weight", [c.V, c.D], path)
    layers = [_gguf_block(t, i, kind, c, path) for i, kind in enumerate(c.pattern)]
    lm_head = embed if c.tie_embeddings else _take(t, "output.weight", [c.V, c.D], path)
    mtp = None
    if c.mtp_pattern:
        # llama.cpp appends the MTP block as block n = L; its first layer's norm is attn_norm, the
        # second's ffn_norm (§3).
        n = len(c.pattern)
        b = f"blk.{n}."
        mtp = {
            "enorm": _take(t, _gguf_optional_weight(t, b + "nextn.enorm"), [c.D], path),
            "hnorm": _take(t, _gguf_optional_weight(t, b + "nextn.hnorm"), [c.D], path),
            "eh_proj": _take(t, _gguf_optional_weight(t, b + "nextn.eh_proj"), [c.D, 2 * c.D], path),
            "layers": [_gguf_block(t, n, kind, c, path) for kind in c.mtp_pattern],
            "final_norm": _take(t, _gguf_optional_weight(t, b + "nextn.shared_head_norm"), [c.D], path),
        }
        if len(mtp["layers"]) == 2:
            mtp["layers"][1]["norm"] = _take(t, b + "ffn_norm.weight", [c.D], path)
    return Weights(cfg, embed, _take(t, "output_norm.weight", [c.D], path), lm_head, layers, mtp)


def load_model(path):
    """An HF directory (config.json + *.safetensors) or a .gguf file."""
    if os.path.isdir(path):
        return load_hf(path)
    return load_gguf(path)
