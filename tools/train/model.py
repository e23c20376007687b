"""Nemotron-H in PyTorch for training the default model (issue 11): an independent second
implementation written from spec/model.md (sections cited inline), not from the C++ engine.

Layer kinds: M (Mamba2 with chunked SSD scan, §2.2/§2.4), * (GQA attention without RoPE, §2.5),
E (sigmoid-routed MoE with shared expert and squared-ReLU experts, §2.7), - (dense squared-ReLU MLP,
§2.6); one MTP block `*E` (§5.1). Parameter names map 1:1 to the HF tensor names of §3 (experts are
held stacked [E, out, in] and split on export)."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def rms_norm(x, w, eps):
    # §2.1: y = w * x / sqrt(mean(x^2) + eps), computed in fp32, plain weight.
    xf = x.float()
    y = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)
    return w.float() * y


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return rms_norm(x, self.weight, self.eps).to(x.dtype)


def relu2(x):
    return torch.square(F.relu(x))


def ssd_scan(x, dt, A, B, C, chunk):
    """Chunked SSD (§2.4) from a zero state. x [b,T,H,P], dt [b,T,H], A [H], B/C [b,T,H,N] (already
    expanded from groups to heads). Returns y [b,T,H,P] without the D skip. fp32 throughout."""
    b, T, H, P = x.shape
    N = B.shape[-1]
    pad = (-T) % chunk
    if pad:  # a = 0 and X = 0 on the padded tail: harmless (§2.4)
        x, dt = F.pad(x, (0, 0, 0, 0, 0, pad)), F.pad(dt, (0, 0, 0, pad))
        B, C = F.pad(B, (0, 0, 0, 0, 0, pad)), F.pad(C, (0, 0, 0, 0, 0, pad))
    nc = (T + pad) // chunk
    X = (x * dt.unsqueeze(-1)).view(b, nc, chunk, H, P)
    a = (dt * A).view(b, nc, chunk, H)
    Bc, Cc = B.view(b, nc, chunk, H, N), C.view(b, nc, chunk, H, N)
    cum = torch.cumsum(a, dim=2)  # c_l, [b,nc,Q,H]
    # Within a chunk: Y_diag[l] = sum_{s<=l} (C_l . B_s) exp(c_l - c_s) X_s
    diff = cum.unsqueeze(3) - cum.unsqueeze(2)  # [b,nc,l,s,H]
    mask = torch.tril(torch.ones(chunk, chunk, dtype=torch.bool, device=x.device)).view(1, 1, chunk, chunk, 1)
    Lmat = torch.exp(diff.masked_fill(~mask, float("-inf")))
    CB = torch.einsum("bclhn,bcshn->bclsh", Cc, Bc) * Lmat
    y = torch.einsum("bclsh,bcshp->bclhp", CB, X)
    # Chunk-end state contributions and the recurrence across chunks.
    decay_to_end = torch.exp(cum[:, :, -1:, :] - cum)  # [b,nc,Q,H]
    dS = torch.einsum("bclhn,bclh,bclhp->bchpn", Bc, decay_to_end, X)
    chunk_decay = torch.exp(cum[:, :, -1, :])  # [b,nc,H]
    S = torch.zeros(b, H, P, N, dtype=x.dtype, device=x.device)
    prev = []
    for i in range(nc):
        prev.append(S)
        S = chunk_decay[:, i, :, None, None] * S + dS[:, i]
    Sprev = torch.stack(prev, dim=1)  # state before each chunk [b,nc,H,P,N]
    y = y + torch.einsum("bclhn,bchpn,bclh->bclhp", Cc, Sprev, torch.exp(cum))
    return y.reshape(b, nc * chunk, H, P)[:, :T]


class Mamba2(nn.Module):
    def __init__(self, c):
        super().__init__()
        D, self.H, self.P = c["hidden_size"], c["mamba_num_heads"], c["mamba_head_dim"]
        self.G, self.N, self.K = c["n_groups"], c["ssm_state_size"], c["conv_kernel"]
        self.Di = self.H * self.P
        self.Cd = self.Di + 2 * self.G * self.N
        self.eps, self.chunk = c["layer_norm_epsilon"], c["chunk_size"]
        self.in_proj = nn.Linear(D, 2 * self.Di + 2 * self.G * self.N + self.H, bias=False)
        self.conv1d = nn.Conv1d(self.Cd, self.Cd, self.K, groups=self.Cd, bias=True)
        self.dt_bias = nn.Parameter(torch.zeros(self.H))
        self.A_log = nn.Parameter(torch.zeros(self.H))
        self.D = nn.Parameter(torch.ones(self.H))
        self.norm = RMSNorm(self.Di, self.eps)
        self.out_proj = nn.Linear(self.Di, D, bias=False)

    def forward(self, u):
        b, T, _ = u.shape
        zxbcdt = self.in_proj(u)
        z = zxbcdt[..., :self.Di]
        xBC = zxbcdt[..., self.Di:self.Di + self.Cd]
        dt_raw = zxbcdt[..., self.Di + self.Cd:]
        # §2.2.2 causal depthwise conv: pad K-1 zeros on the left; w[c, K-1] hits the current token.
        xBC = F.silu(self.conv1d(F.pad(xBC.transpose(1, 2), (self.K - 1, 0))).transpose(1, 2))
        with torch.autocast(device_type=u.device.type, enabled=False):
            xBC = xBC.float()
            x = xBC[..., :self.Di].reshape(b, T, self.H, self.P)
            GN = self.G * self.N
            Bg = xBC[..., self.Di:self.Di + GN].reshape(b, T, self.G, self.N)
            Cg = xBC[..., self.Di + GN:].reshape(b, T, self.G, self.N)
            rep = self.H // self.G  # head h reads group h // (H/G)
            Bh, Ch = Bg.repeat_interleave(rep, dim=2), Cg.repeat_interleave(rep, dim=2)
            dt = F.softplus(dt_raw.float() + self.dt_bias.float())  # §2.2.4, no clamp
            A = -torch.exp(self.A_log.float())
            y = ssd_scan(x, dt, A, Bh, Ch, self.chunk) + self.D.float()[:, None] * x
            y = y.reshape(b, T, self.Di)
            # §2.2.7 gated RMSNorm: gate first, then normalise each group's slice.
            v = (y * F.silu(z.float())).view(b, T, self.G, self.Di // self.G)
            v = v * torch.rsqrt(v.pow(2).mean(-1, keepdim=True) + self.eps)
            v = self.norm.weight.float() * v.reshape(b, T, self.Di)
        return self.out_proj(v.to(u.dtype))


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        D = c["hidden_size"]
        self.Hq, self.Hkv, self.dh = c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"]
        self.q_proj = nn.Linear(D, self.Hq * self.dh, bias=False)
        self.k_proj = nn.Linear(D, self.Hkv * self.dh, bias=False)
        self.v_proj = nn.Linear(D, self.Hkv * self.dh, bias=False)
        self.o_proj = nn.Linear(self.Hq * self.dh, D, bias=False)

    def forward(self, u):
        b, T, _ = u.shape
        q = self.q_proj(u).view(b, T, self.Hq, self.dh).transpose(1, 2)
        k = self.k_proj(u).view(b, T, self.Hkv, self.dh).transpose(1, 2)
        v = self.v_proj(u).view(b, T, self.Hkv, self.dh).transpose(1, 2)
        rep = self.Hq // self.Hkv  # query head h uses KV head h // (Hq/Hkv)
        k, v = k.repeat_interleave(rep, dim=1), v.repeat_interleave(rep, dim=1)
        if hasattr(F, "scaled_dot_product_attention"):  # torch >= 2.0 (the GPU machine)
            o = F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=1.0 / math.sqrt(self.dh))
        else:  # Debian bookworm's torch 1.13: the same softmax(q k^T / sqrt(dh)) v, causal
            s = (q @ k.transpose(-1, -2)).float() / math.sqrt(self.dh)
            causal = torch.ones(T, T, dtype=torch.bool, device=u.device).tril()
            o = torch.softmax(s.masked_fill(~causal, float("-inf")), dim=-1).to(v.dtype) @ v
        return self.o_proj(o.transpose(1, 2).reshape(b, T, self.Hq * self.dh))


class SharedExpert(nn.Module):
    def __init__(self, D, F_):
        super().__init__()
        self.up_proj = nn.Linear(D, F_, bias=False)
        self.down_proj = nn.Linear(F_, D, bias=False)

    def forward(self, u):
        return self.down_proj(relu2(self.up_proj(u)))


class MLP(SharedExpert):
    def __init__(self, c):
        super().__init__(c["hidden_size"], c["intermediate_size"])


class Gate(nn.Module):
    def __init__(self, D, E):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(E, D))
        # Selection-only bias (§1.5); trained without gradients by load balancing (train.py).
        self.register_buffer("e_score_correction_bias", torch.zeros(E))


class MoE(nn.Module):
    def __init__(self, c):
        super().__init__()
        D, self.E, self.k = c["hidden_size"], c["n_routed_experts"], c["num_experts_per_tok"]
        Fe = c["moe_intermediate_size"]
        self.norm_topk, self.scale = c["norm_topk_prob"], c["routed_scaling_factor"]
        self.gate = Gate(D, self.E)
        self.up = nn.Parameter(torch.empty(self.E, Fe, D))  # experts.e.up_proj.weight stacked
        self.down = nn.Parameter(torch.empty(self.E, D, Fe))  # experts.e.down_proj.weight stacked
        self.shared_experts = SharedExpert(D, c["moe_shared_expert_intermediate_size"])
        self.last_load = None

    def forward(self, u):
        with torch.autocast(device_type=u.device.type, enabled=False):
            s = torch.sigmoid(F.linear(u.float(), self.gate.weight.float()))  # §2.7.1-2, fp32
            idx = torch.topk(s + self.gate.e_score_correction_bias, self.k, dim=-1).indices
            w = torch.gather(s, -1, idx)  # weights from the unbiased scores
            if self.norm_topk:
                w = w / (w.sum(-1, keepdim=True) + 1e-20)
            w = w * self.scale
            dense_w = torch.zeros_like(s).scatter(-1, idx, w)  # [.., E], zero for unselected experts
        if self.training:
            self.last_load = F.one_hot(idx, self.E).sum(-2).float().reshape(-1, self.E).mean(0).detach()
        # Small E: every expert runs on every token and the unselected ones are weighted 0 — the same
        # sum as §2.7.6, without gather/scatter.
        h = relu2(torch.einsum("btd,efd->btef", u, self.up.to(u.dtype)))
        y = torch.einsum("btef,edf->bted", h, self.down.to(u.dtype))
        y = (y * dense_w.to(y.dtype).unsqueeze(-1)).sum(2)
        return y + self.shared_experts(u)


def make_mixer(kind, c):
    return {"M": Mamba2, "*": Attention, "E": MoE, "-": MLP}[kind](c)


class Layer(nn.Module):
    def __init__(self, kind, c):
        super().__init__()
        self.norm = RMSNorm(c["hidden_size"], c["layer_norm_epsilon"])
        self.mixer = make_mixer(kind, c)

    def forward(self, h):
        return h + self.mixer(self.norm(h))


class Backbone(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList([Layer(k, c) for k in c["hybrid_override_pattern"]])
        self.norm_f = RMSNorm(c["hidden_size"], c["layer_norm_epsilon"])


class MTPLayer(Layer):
    def __init__(self, kind, c, first, last):
        super().__init__(kind, c)
        D, eps = c["hidden_size"], c["layer_norm_epsilon"]
        if first:
            self.enorm, self.hnorm = RMSNorm(D, eps), RMSNorm(D, eps)
            self.eh_proj = nn.Linear(2 * D, D, bias=False)
        if last:
            self.final_layernorm = RMSNorm(D, eps)  # RMSNorm, as hyserve's default (spec §5.1 open question)


class MTP(nn.Module):
    def __init__(self, c):
        super().__init__()
        pat = c["mtp_hybrid_override_pattern"]
        self.layers = nn.ModuleList([MTPLayer(k, c, i == 0, i == len(pat) - 1) for i, k in enumerate(pat)])

    def forward(self, e, hidden):
        # §5.1: m = W_eh [enorm(e); hnorm(H_t)], embedding first; then the `*E` layers; final norm.
        first = self.layers[0]
        m = first.eh_proj(torch.cat([first.enorm(e), first.hnorm(hidden)], dim=-1))
        for layer in self.layers:
            m = layer(m)
        return self.layers[-1].final_layernorm(m)


class NemotronH(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.config = c
        self.backbone = Backbone(c)
        self.lm_head = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)
        self.mtp = MTP(c) if c.get("num_nextn_predict_layers", 0) else None

    def forward(self, ids, mtp=True):
        """ids [b,T] -> (logits [b,T,V], mtp_logits [b,T-1,V] or None). mtp_logits[t] predicts token
        t+2 from the final hidden state at t and the token at t+1 (teacher-forced)."""
        h = self.backbone.embeddings(ids)
        for layer in self.backbone.layers:
            h = layer(h)
        hn = self.backbone.norm_f(h)
        logits = self.lm_head(hn)
        mtp_logits = None
        if mtp and self.mtp is not None and ids.shape[1] > 1:
            e = self.backbone.embeddings(ids[:, 1:])
            mtp_logits = self.lm_head(self.mtp(e, hn[:, :-1]))
        return logits, mtp_logits


def init_weights(model, seed):
    """Nemotron-H-style initialisation: N(0, 0.02) matrices with output projections scaled down by
    depth, A_log = log U[1,16], dt log-uniform in [0.001, 0.1] stored as softplus^-1 (config fields
    time_step_min/max, §1.3), conv N(0, 1/K)."""
    g = torch.Generator().manual_seed(seed)
    c = model.config
    L = len(c["hybrid_override_pattern"])
    for name, p in model.named_parameters():
        with torch.no_grad():
            if name.endswith(("norm.weight", "enorm.weight", "hnorm.weight", "final_layernorm.weight", "norm_f.weight")):
                p.fill_(1.0)
            elif name.endswith("A_log"):
                p.copy_(torch.log(torch.empty(p.shape).uniform_(1, 16, generator=g)))
            elif name.endswith("dt_bias"):
                dt = torch.exp(torch.empty(p.shape).uniform_(math.log(1e-3), math.log(1e-1), generator=g))
                p.copy_(dt + torch.log(-torch.expm1(-dt)))
            elif name.endswith(".D"):
                p.fill_(1.0)
            elif "conv1d.bias" in name:
                p.zero_()
            elif "conv1d.weight" in name:
                p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(p.shape[-1]))
            else:
                std = 0.02
                if name.endswith(("out_proj.weight", "o_proj.weight", "down_proj.weight", ".down")):
                    std = 0.02 / math.sqrt(2 * L)
                p.copy_(torch.randn(p.shape, generator=g) * std)


def param_count(model):
    return sum(p.numel() for p in model.parameters())
