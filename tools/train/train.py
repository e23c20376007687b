#!/usr/bin/python3
"""Training the default model (issue 11) and exporting it as a HF directory.

  train.py train --data data.jsonl.xz --tokenizer TOKDIR --ckpt OUTDIR [--device cpu|cuda]
                 [--steps N | --time-budget SECONDS] [--seed 1]
  train.py export --ckpt OUTDIR --tokenizer TOKDIR --out HFDIR [--dtype float32|bfloat16]

Training writes OUTDIR/ckpt.{0,1}.safetensors (fp32 state, two halves so each stays under the
device tool's 16 MiB per file) and OUTDIR/train_log.txt. With --time-budget the step count is fixed
after timing the first steps, so the cosine schedule runs to the end of the budget; with --steps
the run is fully determined by the seed."""
import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import NemotronH, init_weights, param_count  # noqa: E402
import tokenize_data as TD  # noqa: E402
from hf_io import save_hf  # noqa: E402
from st_io import load_file, save_file  # noqa: E402


def model_config(vocab_size, preset):
    """HF config.json fields (spec/model.md §1) of the default model."""
    c = {
        "architectures": ["NemotronHForCausalLM"], "model_type": "nemotron_h",
        "vocab_size": vocab_size, "hidden_size": 192, "hybrid_override_pattern": "MEM*EMEM*E",
        "num_hidden_layers": 10, "num_attention_heads": 6, "num_key_value_heads": 2, "head_dim": 32,
        "mamba_num_heads": 8, "mamba_head_dim": 48, "n_groups": 2, "ssm_state_size": 32, "conv_kernel": 4,
        "chunk_size": 64, "expand": 2, "mamba_hidden_act": "silu", "use_conv_bias": True, "use_bias": False,
        "intermediate_size": 384, "mlp_hidden_act": "relu2", "mlp_bias": False,
        "n_routed_experts": 8, "num_experts_per_tok": 2, "moe_intermediate_size": 128,
        "moe_shared_expert_intermediate_size": 256, "n_shared_experts": 1, "n_group": 1, "topk_group": 1,
        "norm_topk_prob": True, "routed_scaling_factor": 2.5,
        "num_nextn_predict_layers": 1, "mtp_hybrid_override_pattern": "*E",
        "layer_norm_epsilon": 1e-5, "max_position_embeddings": 8192, "tie_word_embeddings": False,
        "attention_bias": False, "bos_token_id": 1, "eos_token_id": [2, 11], "pad_token_id": 0,
        "time_step_min": 0.001, "time_step_max": 0.1, "time_step_floor": 1e-4,
        "torch_dtype": "float32",
    }
    if preset == "smoke":
        c.update(hidden_size=64, mamba_num_heads=4, mamba_head_dim=32, num_attention_heads=4, head_dim=16,
                 moe_intermediate_size=32, moe_shared_expert_intermediate_size=64)
    return c


def log(f, msg):
    print(msg, flush=True)
    if f:
        f.write(msg + "\n")
        f.flush()


def pack_rows(docs, seq_len, rng, open_rows=1):
    """Whole documents packed into rows of seq_len+1 tokens, each row starting at a document start (a
    conversation at inference starts from an empty state). Documents longer than a row are cut.
    First fit over the last `open_rows` rows; 1 is next fit, the committed model's packing (fill 0.74 on
    its data); 32 filled 0.80 (a step costs the same whether its rows are full or padded)."""
    order = list(range(len(docs)))
    rng.shuffle(order)
    cap = seq_len + 1
    rows, room = [], []  # room[k]: free tokens in the open row rows[first_open + k]
    first_open = 0
    for j in order:
        n = min(len(docs[j][0]), cap)
        for k, free in enumerate(room):
            if n <= free:
                rows[first_open + k].append(j)
                room[k] = free - n
                break
        else:
            rows.append([j])
            room.append(cap - n)
            if len(room) > open_rows:  # the oldest open row is closed for good
                room.pop(0)
                first_open += 1
    ids = np.zeros((len(rows), seq_len + 1), dtype=np.int64)
    wts = np.zeros((len(rows), seq_len + 1), dtype=np.float32)
    valid = np.zeros((len(rows), seq_len + 1), dtype=np.float32)
    for r, members in enumerate(rows):
        pos = 0
        for j in members:
            a, w = docs[j]
            n = min(len(a), seq_len + 1)
            ids[r, pos:pos + n] = a[:n]
            wts[r, pos:pos + n] = w[:n]
            valid[r, pos:pos + n] = 1
            pos += n
    return ids, wts, valid


def save_ckpt(model, outdir, step, info, matrices_bf16=False):
    sd = {k: v.detach().float().cpu().contiguous() for k, v in model.state_dict().items()}
    if matrices_bf16:
        sd = {k: (v.to(torch.bfloat16) if v.dim() >= 2 else v) for k, v in sd.items()}
    keys = sorted(sd)
    half = len(keys) // 2
    for i, part in enumerate([keys[:half], keys[half:]]):
        tmp = os.path.join(outdir, f"ckpt.{i}.safetensors.tmp")
        save_file({k: sd[k] for k in part}, tmp, metadata={"step": str(step)})
        os.replace(tmp, os.path.join(outdir, f"ckpt.{i}.safetensors"))
    with open(os.path.join(outdir, "ckpt_info.json"), "w") as f:
        json.dump(info, f, indent=1)


def load_ckpt(outdir):
    sd = {}
    for i in range(2):
        sd.update(load_file(os.path.join(outdir, f"ckpt.{i}.safetensors")))
    info = json.load(open(os.path.join(outdir, "ckpt_info.json")))
    model = NemotronH(info["config"])
    model.load_state_dict(sd)
    return model, info


def batch_losses(model, inp, tgt, wt, amp):
    """The weighted next-token loss of one batch and the MTP head's (None without one). One function,
    so that torch.compile (--compile) fuses the fp32 cross-entropy over the logits with the forward."""
    with torch.autocast(device_type=inp.device.type, dtype=torch.bfloat16, enabled=amp):
        logits, mtp_logits = model(inp)
    ce = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), tgt.reshape(-1), reduction="none")
    loss_main = (ce * wt.reshape(-1)).sum() / wt.sum()
    if mtp_logits is None:
        return loss_main, None
    # mtp_logits[:, t] predicts token t+2, i.e. tgt[:, t+1].
    wm = wt[:, 1:]
    cm = F.cross_entropy(mtp_logits.float().reshape(-1, mtp_logits.shape[-1]), tgt[:, 1:].reshape(-1),
                         reduction="none")
    return loss_main, (cm * wm.reshape(-1)).sum() / wm.sum()


def train(args):
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    dev = torch.device(args.device)
    if dev.type == "cpu":
        torch.set_num_threads(args.threads)
    os.makedirs(args.ckpt, exist_ok=True)
    lf = open(os.path.join(args.ckpt, "train_log.txt"), "a")
    t0 = time.time()
    tok_json = os.path.join(args.tokenizer, "tokenizer.json")
    enc = TD.make_encoder(tok_json, args.encoder)
    docs = list(TD.read_docs(args.data))
    if args.max_docs:
        docs = docs[:args.max_docs]
    log(lf, f"{len(docs)} documents; encoder {type(enc).__name__}")
    if args.check_encoders and isinstance(enc, TD.HfBpe) and TD._re_unicode is not None:
        py = TD.PyBpe(tok_json)
        bad = sum(py.encode(d["text"]) != enc.encode(d["text"]) for d in docs[:300])
        log(lf, f"encoder check: {bad} of 300 documents differ between HF tokenizers and PyBpe")
    tokd = TD.tokenize_docs(docs, enc)
    ntok = sum(len(a) for a, _ in tokd)
    log(lf, f"tokenized {ntok} tokens ({sum(int(w.sum()) for _, w in tokd)} trained) in {time.time() - t0:.1f} s")
    vocab = len(json.load(open(tok_json))["model"]["vocab"])
    c = model_config(vocab, args.preset)
    model = NemotronH(c)
    init_weights(model, args.seed)
    if args.init_from:  # fine-tuning stage: continue from a checkpoint of the same architecture
        model.load_state_dict(load_ckpt(args.init_from)[0].state_dict())
        log(lf, f"initialised from {args.init_from}")
    model.to(dev)
    losses = torch.compile(batch_losses) if args.compile else batch_losses
    log(lf, f"model {param_count(model)} parameters, pattern {c['hybrid_override_pattern']} + MTP, device {dev}")
    rng = random.Random(args.seed)
    ids, wts, valid = pack_rows(tokd, args.seq, rng, args.pack_open_rows)
    log(lf, f"{len(ids)} rows of {args.seq} tokens, fill {valid.mean():.2f}")
    ids_t, w_t, v_t = torch.from_numpy(ids), torch.from_numpy(wts), torch.from_numpy(valid)
    if dev.type == "cuda":
        ids_t, w_t, v_t = ids_t.to(dev), w_t.to(dev), v_t.to(dev)
    # Loss weights: 1 on what the model produces, args.prompt_weight on what it reads.
    lw = (w_t + args.prompt_weight * (1 - w_t)) * v_t
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        (no_decay if p.dim() < 2 or "norm" in n or n.endswith(("A_log", "dt_bias", ".D")) else decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95), eps=1e-8, **({"fused": True} if dev.type == "cuda" else {}))
    moes = [m for m in model.modules() if type(m).__name__ == "MoE"]
    total = args.steps
    gen = torch.Generator(device="cpu").manual_seed(args.seed)
    step, t_train, last_ckpt = 0, time.time(), time.time()
    amp = dev.type == "cuda"
    calib_at = 30
    while True:
        if total is None and step == calib_at:
            per = (time.time() - t_calib) / (calib_at - 10)
            total = max(calib_at + 1, int((args.time_budget - (time.time() - t0)) / per) + calib_at)
            log(lf, f"{per * 1000:.1f} ms/step -> {total} steps in the time budget")
        if step == 10:
            if dev.type == "cuda":
                torch.cuda.synchronize()
            t_calib = time.time()
        if total is not None and step >= total:
            break
        warm = args.warmup
        frac = step / max(1, (total or 10 ** 9))
        lr = args.lr * min(1.0, (step + 1) / warm) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, frac))))
        for g in opt.param_groups:
            g["lr"] = lr
        bi = torch.randint(0, len(ids_t), (args.batch,), generator=gen)
        if dev.type == "cuda":
            bi = bi.to(dev)
        x, lwb = ids_t[bi], lw[bi]
        inp, tgt = x[:, :-1], x[:, 1:]
        loss_main, loss_mtp = losses(model, inp, tgt, lwb[:, 1:], amp)
        loss = loss_main if loss_mtp is None else loss_main + args.mtp_weight * loss_mtp
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        # Auxiliary-loss-free load balancing: nudge each expert's selection bias toward equal load.
        with torch.no_grad():
            for m in moes:
                if m.last_load is not None:
                    m.gate.e_score_correction_bias += args.bias_rate * torch.sign(m.last_load.mean() - m.last_load)
        step += 1
        if step % args.log_every == 0 or step == 1:
            log(lf, f"step {step}/{total} lr {lr:.2e} loss {loss_main.item():.4f} mtp "
                    f"{(loss_mtp.item() if loss_mtp is not None else 0):.4f} elapsed {time.time() - t0:.0f} s")
        if time.time() - last_ckpt > args.ckpt_every:
            save_ckpt(model, args.ckpt, step, {"config": c, "step": step, "seed": args.seed})
            last_ckpt = time.time()
    save_ckpt(model, args.ckpt, step, {"config": c, "step": step, "seed": args.seed, "done": True})
    tr = time.time() - t_train
    log(lf, f"done: {step} steps, {step * args.batch * args.seq} tokens in {tr:.0f} s "
            f"({step * args.batch * args.seq / tr:.0f} tokens/s)")


def round_ckpt(args):
    """The checkpoint with its matrices rounded to bf16; vectors (norms, A_log, D, biases, the routing
    bias) stay fp32. Half the bytes: two runs' checkpoints fit the device tool's 64 MiB upload, and the
    stage that continues from it (the copy stage) starts from these rounded weights on every machine."""
    model, info = load_ckpt(args.ckpt)
    os.makedirs(args.out, exist_ok=True)
    save_ckpt(model, args.out, info["step"], info, matrices_bf16=True)
    print(f"rounded step {info['step']} -> {args.out}")


def export(args):
    model, info = load_ckpt(args.ckpt)
    save_hf(model, info["config"], args.tokenizer, args.out, args.dtype)
    print(f"exported step {info['step']} -> {args.out} ({args.dtype})")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("--data", required=True)
    t.add_argument("--tokenizer", required=True)
    t.add_argument("--ckpt", required=True)
    t.add_argument("--device", default="cpu")
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--preset", default="default", choices=["default", "smoke"])
    t.add_argument("--steps", type=int)
    t.add_argument("--time-budget", type=float, default=600)
    t.add_argument("--batch", type=int, default=16)
    t.add_argument("--seq", type=int, default=512)
    t.add_argument("--lr", type=float, default=3e-3)
    t.add_argument("--warmup", type=int, default=100)
    t.add_argument("--prompt-weight", type=float, default=0.1)
    t.add_argument("--mtp-weight", type=float, default=0.3)
    t.add_argument("--bias-rate", type=float, default=1e-3)
    t.add_argument("--seed", type=int, default=1)
    t.add_argument("--max-docs", type=int, default=0)
    t.add_argument("--init-from", help="checkpoint directory to continue from (fine-tuning)")
    t.add_argument("--encoder", default="auto", choices=["auto", "hf", "py"])
    t.add_argument("--check-encoders", action="store_true")
    t.add_argument("--pack-open-rows", type=int, default=1, help="rows open for first-fit packing (1: next fit)")
    t.add_argument("--compile", action="store_true",
                   help="train through torch.compile (PyTorch 2 with Triton, i.e. the GPU machine)")
    t.add_argument("--log-every", type=int, default=50)
    t.add_argument("--ckpt-every", type=float, default=60)
    r = sub.add_parser("round")
    r.add_argument("--ckpt", required=True)
    r.add_argument("--out", required=True)
    e = sub.add_parser("export")
    e.add_argument("--ckpt", required=True)
    e.add_argument("--tokenizer", required=True)
    e.add_argument("--out", required=True)
    e.add_argument("--dtype", default="float32", choices=["float32", "bfloat16"])
    args = ap.parse_args()
    {"train": train, "round": round_ckpt, "export": export}[args.cmd](args)


if __name__ == "__main__":
    main()
