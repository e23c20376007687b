"""Token-serial float64 forward pass of Nemotron-H, written directly from spec/model.md §2 and §5.

One function per block; each cites the section it implements. Everything is float64 (the stored weights
are widened at load), so this is a reference for the formulas, not for any engine's rounding.
The per-sequence state (§2.3) is explicit: conv window and SSM state per Mamba layer, K/V lists per
attention layer; feeding tokens one at a time through `step` is the whole algorithm.
"""
import numpy as np


# ---- elementwise helpers -----------------------------------------------------------------------------


def silu(x):
    return x / (1.0 + np.exp(-x))


def softplus(x):
    return np.logaddexp(0.0, x)  # log(1 + e^x) without overflow


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def relu2(x):
    """§1.4 / §2.6: squared ReLU, relu(x)²."""
    return np.square(np.maximum(x, 0.0))


# ---- §2.1 RMSNorm ------------------------------------------------------------------------------------


def rms_norm(x, w, eps):
    """§2.1: y = w ⊙ x / sqrt(mean(x²) + eps); plain weight, no '+1'."""
    return w * (x / np.sqrt(np.mean(x * x) + eps))


# ---- §2.2 Mamba2 mixer (one token, with the §2.3 recurrent state) --------------------------------------


class MambaState:
    """§2.3: conv state = the last K−1 pre-conv xBC rows (zeros before the sequence start);
    SSM state S [Hm, P, N], zero at the start."""

    def __init__(self, cfg):
        self.conv = np.zeros((cfg.K - 1, cfg.Cd))
        self.ssm = np.zeros((cfg.Hm, cfg.P, cfg.N))


def mamba2_mixer(u, L, cfg, state):
    c = cfg
    Di, Cd, GN = c.Di, c.Cd, c.G * c.N
    # §2.2.1 in_proj and split z | xBC | dt_raw
    zxbcdt = L["in_proj"] @ u
    z = zxbcdt[:Di]
    xBC = zxbcdt[Di : Di + Cd]
    dt_raw = zxbcdt[Di + Cd : Di + Cd + c.Hm]
    # §2.2.2 causal depthwise conv: w[c, K−1] multiplies the current token, w[c, 0] the oldest
    window = np.vstack([state.conv, xBC[None, :]])  # [K, Cd], oldest first
    xBC = silu(L["conv_b"] + np.sum(L["conv_w"].T * window, axis=0))
    state.conv = window[1:]  # §2.3: shift by one
    # §2.2.3 split x [Hm, P] (head-major), B [G, N], C [G, N]
    x = xBC[:Di].reshape(c.Hm, c.P)
    B = xBC[Di : Di + GN].reshape(c.G, c.N)
    C = xBC[Di + GN : Di + 2 * GN].reshape(c.G, c.N)
    # §2.2.4 dt = softplus(dt_raw + dt_bias), clamped to time_step_limit (default (0, inf): no-op)
    dt = np.clip(softplus(dt_raw + L["dt_bias"]), c.time_step_limit[0], c.time_step_limit[1])
    # §2.2.5 A = −exp(A_log) (precomputed at load)
    A = L["A"]
    # §2.2.6 recurrence per head; head h reads group floor(h / (Hm/G))
    heads_per_group = c.Hm // c.G
    y = np.empty((c.Hm, c.P))
    for h in range(c.Hm):
        g = h // heads_per_group
        a = np.exp(dt[h] * A[h])
        state.ssm[h] = a * state.ssm[h] + dt[h] * np.outer(x[h], B[g])
        y[h] = state.ssm[h] @ C[g] + L["D"][h] * x[h]  # uses the updated state
    # §2.2.7 gated RMSNorm: gate first, then normalise each of the G groups of Di/G
    v = (y.reshape(Di) * silu(z)).reshape(c.G, Di // c.G)
    v = v / np.sqrt(np.mean(v * v, axis=1, keepdims=True) + c.eps)
    v = L["gnorm"] * v.reshape(Di)
    # §2.2.8 out_proj
    return L["out_proj"] @ v


# ---- §2.5 attention ----------------------------------------------------------------------------------


class AttentionState:
    """KV cache of one attention layer: K and V [Hkv, dh] per past token."""

    def __init__(self):
        self.k, self.v = [], []


def attention(u, L, cfg, state):
    c = cfg
    q = (L["q"] @ u).reshape(c.Hq, c.dh)  # no bias, no q/k norm, no RoPE (§1.2)
    state.k.append((L["k"] @ u).reshape(c.Hkv, c.dh))
    state.v.append((L["v"] @ u).reshape(c.Hkv, c.dh))
    K = np.stack(state.k)  # [T, Hkv, dh]: all positions j <= i (causal)
    V = np.stack(state.v)
    o = np.empty((c.Hq, c.dh))
    q_per_kv = c.Hq // c.Hkv
    for h in range(c.Hq):
        kv = h // q_per_kv  # GQA
        scores = K[:, kv, :] @ q[h] / np.sqrt(c.dh)
        p = np.exp(scores - scores.max())
        p /= p.sum()
        o[h] = p @ V[:, kv, :]
    return L["o"] @ o.reshape(c.Hq * c.dh)


# ---- §2.6 dense MLP ----------------------------------------------------------------------------------


def dense_mlp(u, L):
    return L["down"] @ relu2(L["up"] @ u)


# ---- §2.7 MoE ----------------------------------------------------------------------------------------


def route(u, L, cfg):
    """§2.7 steps 1–5: returns (expert indices, weights)."""
    c = cfg
    s = sigmoid(L["gate"] @ u)  # 1–2: sigmoid scores
    sel = s + L["bias"]  # e_score_correction_bias: selection only
    if c.n_group > 1:  # 3: group limit, group score = sum of its top-2 selection scores
        grouped = sel.reshape(c.n_group, c.E // c.n_group)
        group_score = np.sort(grouped, axis=1)[:, -2:].sum(axis=1)
        keep = np.argsort(-group_score, kind="stable")[: c.topk_group]
        mask = np.full(c.n_group, -np.inf)
        mask[keep] = 0.0
        sel = (grouped + mask[:, None]).reshape(c.E)
    idx = np.argsort(-sel, kind="stable")[: c.k]  # 4: top-k
    w = s[idx]  # 5: weights from the unbiased scores
    if c.norm_topk_prob:
        w = w / (w.sum() + 1e-20)
    return idx, w * c.routed_scaling_factor


def moe(u, L, cfg):
    idx, w = route(u, L, cfg)
    x_r = L["fc1"] @ u if L["fc1"] is not None else u  # 6: LatentMoE down-projection
    y_r = np.zeros_like(x_r)
    for e, we in zip(idx, w):
        y_r += we * (L["down_exps"][e] @ relu2(L["up_exps"][e] @ x_r))
    if L["fc2"] is not None:
        y_r = L["fc2"] @ y_r  # back to D
    y_s = L["sh_down"] @ relu2(L["sh_up"] @ u)  # 7: shared expert on the full width, unweighted
    return y_r + y_s  # 8


# ---- §2.1 one pre-norm residual layer ------------------------------------------------------------------


def layer(h, L, cfg, state):
    u = rms_norm(h, L["norm"], cfg.eps)
    kind = L["kind"]
    if kind == "M":
        out = mamba2_mixer(u, L, cfg, state)
    elif kind == "*":
        out = attention(u, L, cfg, state)
    elif kind == "-":
        out = dense_mlp(u, L)
    else:
        out = moe(u, L, cfg)
    return h + out


def new_state(kinds, cfg):
    return [MambaState(cfg) if k == "M" else AttentionState() if k == "*" else None for k in kinds]


# ---- §2.1 / §2.8 the trunk ---------------------------------------------------------------------------


class Sequence:
    """One sequence being decoded token by token."""

    def __init__(self, weights):
        self.w = weights
        self.state = new_state(weights.cfg.pattern, weights.cfg)

    def step(self, token, trace=None):
        """Feeds one token; returns (logits [V], final normed hidden H [D] that lm_head consumes).
        `trace`, if a list, receives the residual stream after each layer (for debugging an engine)."""
        w, c = self.w, self.w.cfg
        h = w.embed[token].copy()  # no embedding scaling
        for L, st in zip(w.layers, self.state):
            h = layer(h, L, c, st)
            if trace is not None:
                trace.append(h.copy())
        H = rms_norm(h, w.norm_f, c.eps)
        return w.lm_head @ H, H


def forward(weights, tokens):
    """Logits [T, V] and final hidden states [T, D] for every position of one sequence."""
    seq = Sequence(weights)
    outs = [seq.step(t) for t in tokens]
    return np.stack([o[0] for o in outs]), np.stack([o[1] for o in outs])


# ---- §5.1 MTP block ----------------------------------------------------------------------------------


class MTPSequence:
    """The MTP block with its own attention KV cache (§5.1). Position t takes the target's post-norm_f
    hidden H_t and the token x_{t+1}; it returns draft logits for x_{t+2}."""

    def __init__(self, weights):
        if weights.mtp is None:
            raise ValueError("model has no MTP block")
        self.w = weights
        self.state = new_state([L["kind"] for L in weights.mtp["layers"]], weights.cfg)

    def step(self, H, next_token):
        w, c, m = self.w, self.w.cfg, self.w.mtp
        e = w.embed[next_token]
        # embedding FIRST, hidden second (Megatron-LM order)
        x = m["eh_proj"] @ np.concatenate([rms_norm(e, m["enorm"], c.eps), rms_norm(H, m["hnorm"], c.eps)])
        for L, st in zip(m["layers"], self.state):
            x = layer(x, L, c, st)
        # final_layernorm taken as RMSNorm (vLLM); llama.cpp uses a LayerNorm here — open question [U] §5.1
        g = rms_norm(x, m["final_norm"], c.eps)
        return w.lm_head @ g, g


def mtp_forward(weights, hidden, tokens_shifted):
    """Runs the MTP block over positions t = 0..T−1 with inputs (H_t, x_{t+1}) (§5.1: after the target
    prefill, tokens shifted by one, the last slot filled with the next token). Returns draft logits [T, V]."""
    seq = MTPSequence(weights)
    return np.stack([seq.step(H, t)[0] for H, t in zip(hidden, tokens_shifted)])
