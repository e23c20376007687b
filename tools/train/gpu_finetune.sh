#!/bin/bash
# Stage 2 of the previous default model (sessions 3-9; issue 11), as sent to the device machine: a short fine-tune of run A
# (tools/train/gpu_train.sh) on fresh data (seed 2) in which 35% of the JSON answers are compact, the
# form the server's structured-output grammar produces, so `response_format` JSON stays in
# distribution. Writes $OUT/ft/{ckpt.0,ckpt.1}.safetensors, ckpt_info.json, train_log.txt.
#   OUT=/path BUDGET=200 tools/train/gpu_finetune.sh
set -uo pipefail
export PYTHONUNBUFFERED=1
OUT=${OUT:-/tmp/gpu-out}
BUDGET=${BUDGET:-200}
mkdir -p "$OUT/ft"
python3 tools/train/train.py train --data .train-ft/data.jsonl.xz --tokenizer .train-ft/tok --ckpt "$OUT/ft" \
    --device cuda --time-budget "$BUDGET" --batch 64 --seq 1024 --warmup 50 --lr 1e-3 --seed 3 \
    --init-from .train-ft/init --ckpt-every 30 --log-every 100
