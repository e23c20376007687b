"""The model hyper-parameters the reference needs (spec/model.md §0, §1), read from an HF config.json
or from GGUF metadata. Symbols follow spec §0."""
import json
import math
from dataclasses import dataclass, field

# spec §1.1: layers_block_type aliases -> pattern characters
_BLOCK_TYPE_ALIASES = {
    "mamba": "M",
    "linear_attention": "M",
    "attention": "*",
    "full_attention": "*",
    "mlp": "-",
    "moe": "E",
}


class ConfigError(Exception):
    pass


@dataclass
class Config:
    pattern: str  # one of M * - E per layer (spec §1.1)
    D: int
    V: int
    eps: float = 1e-5
    tie_embeddings: bool = False
    # attention (§1.2)
    Hq: int = 0
    Hkv: int = 0
    dh: int = 0
    # Mamba2 (§1.3)
    Hm: int = 0
    P: int = 0
    G: int = 1
    N: int = 0
    K: int = 4
    time_step_limit: tuple = (0.0, math.inf)
    # dense MLP (§1.4): one width per '-' layer ordinal
    F: list = field(default_factory=list)
    # MoE (§1.5, §1.6)
    E: int = 0
    k: int = 0
    Fe: int = 0
    Fs: int = 0
    n_group: int = 1
    topk_group: int = 1
    norm_topk_prob: bool = True
    routed_scaling_factor: float = 1.0
    Lt: int = 0  # 0 = no LatentMoE
    # MTP (§1.7)
    mtp_pattern: str = ""

    @property
    def Di(self):  # spec §0: Di = Hm·P, not expand·D
        return self.Hm * self.P

    @property
    def Cd(self):
        return self.Di + 2 * self.G * self.N

    def mlp_width(self, layer):
        """§1.4: a list of widths is indexed by the ordinal of the '-' layer."""
        ordinal = self.pattern[:layer].count("-")
        return self.F[ordinal] if len(self.F) > 1 else self.F[0]


def _pattern_from_block_types(types, where):
    try:
        return "".join(_BLOCK_TYPE_ALIASES[t] for t in types)
    except KeyError as e:
        raise ConfigError(f"{where}: unknown block type {e}") from None


def config_from_hf(path):
    """Reads an HF config.json (spec §1)."""
    with open(path) as f:
        c = json.load(f)
    if "hybrid_override_pattern" in c:
        pattern = c["hybrid_override_pattern"]
    elif "layers_block_type" in c:
        pattern = _pattern_from_block_types(c["layers_block_type"], f"{path}: layers_block_type")
    else:
        raise ConfigError(f"{path}: neither hybrid_override_pattern nor layers_block_type")
    if set(pattern) - set("M*-E"):
        raise ConfigError(f"{path}: invalid pattern {pattern!r}")
    mtp = ""
    if c.get("num_nextn_predict_layers", 0) > 0:
        if "mtp_hybrid_override_pattern" in c:
            mtp = c["mtp_hybrid_override_pattern"]
        else:
            types = c.get("mtp_layers_block_type", ["full_attention", "moe"])  # HF default (§1.7)
            mtp = _pattern_from_block_types(types, f"{path}: mtp_layers_block_type")
    eps = c.get("layer_norm_epsilon", c.get("norm_eps", c.get("rms_norm_eps", 1e-5)))
    limit = c.get("time_step_limit", [0.0, math.inf])
    F = c.get("intermediate_size", 0)
    Hq = c.get("num_attention_heads", 0)
    lt = c.get("moe_latent_size")
    return Config(
        pattern=pattern,
        D=c["hidden_size"],
        V=c["vocab_size"],
        eps=float(eps),
        tie_embeddings=bool(c.get("tie_word_embeddings", False)),
        Hq=Hq,
        Hkv=c.get("num_key_value_heads") or Hq,
        dh=c.get("head_dim") or c.get("attention_head_dim") or (c["hidden_size"] // Hq if Hq else 0),
        Hm=c.get("mamba_num_heads", 0),
        P=c.get("mamba_head_dim", 0),
        G=c.get("n_groups", 1),
        N=c.get("ssm_state_size", 0),
        K=c.get("conv_kernel", 4),
        time_step_limit=(float(limit[0]), float(limit[1])),
        F=list(F) if isinstance(F, list) else [F],
        E=c.get("n_routed_experts", 0) or 0,
        k=c.get("num_experts_per_tok", 0) or 0,
        Fe=c.get("moe_intermediate_size", 0) or 0,
        Fs=(c.get("moe_shared_expert_intermediate_size", 0) or 0) * (c.get("n_shared_experts", 1) or 1),
        n_group=c.get("n_group", 1) or 1,
        topk_group=c.get("topk_group", 1) or 1,
        norm_topk_prob=bool(c.get("norm_topk_prob", True)),
        routed_scaling_factor=float(c.get("routed_scaling_factor", 1.0) or 1.0),
        Lt=lt or 0,
        mtp_pattern=mtp,
    )


def config_from_gguf(meta, tensors, path):
    """Reads llama.cpp GGUF metadata (spec §3, last paragraph). The layer kind is taken from the tensors
    each block holds and cross-checked against the per-layer arrays llama.cpp uses
    (head_count_kv == 0 -> recurrent unless feed_forward_length != 0)."""
    arch = meta["general.architecture"]

    def get(key, default=None):
        full = f"{arch}.{key}"
        if full not in meta and default is None:
            raise ConfigError(f"{path}: missing metadata key {full}")
        return meta.get(full, default)

    L = get("block_count")
    n_mtp = get("nextn_predict_layers", 0)
    n_trunk = L - n_mtp  # llama.cpp appends the MTP block as block n = L_trunk (§3)
    pattern = ""
    for i in range(n_trunk):
        if f"blk.{i}.ssm_in.weight" in tensors:
            kind = "M"
        elif f"blk.{i}.attn_q.weight" in tensors:
            kind = "*"
        elif f"blk.{i}.ffn_up_exps.weight" in tensors:
            kind = "E"
        elif f"blk.{i}.ffn_up.weight" in tensors:
            kind = "-"
        else:
            raise ConfigError(f"{path}: block {i} holds no mixer tensors")
        pattern += kind
    ff = get("feed_forward_length")
    ff = ff if isinstance(ff, list) else [ff] * L
    kv = get("attention.head_count_kv")
    kv = kv if isinstance(kv, list) else [kv] * L
    for i, kind in enumerate(pattern):
        expect = "M" if kv[i] == 0 and ff[i] == 0 else "*" if ff[i] == 0 else "-E"
        if kind not in expect:
            raise ConfigError(f"{path}: block {i}: tensors say {kind!r}, metadata says {expect!r}")
    Hkv = max(kv)
    Hm = get("ssm.time_step_rank", 0)
    Di = get("ssm.inner_size", 0)
    lt = meta.get(f"{arch}.moe_latent_size", 0)
    mtp = ""
    if n_mtp:  # block n_trunk: a mixer ('*' or 'M') followed by an FFN ('E' or '-'), from its tensors
        b = f"blk.{n_trunk}."
        mtp += "*" if b + "attn_q.weight" in tensors else "M" if b + "ssm_in.weight" in tensors else ""
        mtp += "E" if b + "ffn_up_exps.weight" in tensors else "-" if b + "ffn_up.weight" in tensors else ""
    emb = tensors["token_embd.weight"]
    return Config(
        pattern=pattern,
        D=get("embedding_length"),
        V=emb.shape[0],
        eps=float(get("attention.layer_norm_rms_epsilon")),
        tie_embeddings="output.weight" not in tensors,
        Hq=get("attention.head_count"),
        Hkv=Hkv,
        dh=get("attention.key_length"),
        Hm=Hm,
        P=Di // Hm if Hm else 0,
        G=get("ssm.group_count", 1),
        N=get("ssm.state_size", 0),
        K=get("ssm.conv_kernel", 4),
        F=[ff[i] for i, kind in enumerate(pattern) if kind == "-"] or [0],
        E=get("expert_count", 0),
        k=get("expert_used_count", 0),
        Fe=get("expert_feed_forward_length", 0),
        Fs=get("expert_shared_feed_forward_length", 0) * get("expert_shared_count", 1),
        n_group=get("expert_group_count", 1),
        topk_group=get("expert_group_used_count", 1),
        norm_topk_prob=bool(get("expert_weights_norm", True)),
        routed_scaling_factor=float(get("expert_weights_scale", 1.0)),
        Lt=lt,
        mtp_pattern=mtp,
    )
