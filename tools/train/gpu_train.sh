#!/bin/bash
# The GPU run that trained the previous default model (sessions 3-9, with tools/train/gpu_finetune.sh;
# session 10 replaced it with tools/train/gpu_run.sh and tools/train/recipe.sh), as sent to the device machine
# (python3 there is torch 2.x with CUDA; `tokenizers` there encodes the data). Two runs share the one
# GPU, which a 5M-parameter model leaves mostly idle: A with the default learning rate, B with half of
# it as a fallback against divergence. Each writes its checkpoint halves, ckpt_info.json and train_log.txt under $OUT/{a,b} (8 files: the
# device tool returns at most 8).
#   OUT=/path BUDGET=430 tools/train/gpu_train.sh
set -uo pipefail
export PYTHONUNBUFFERED=1
OUT=${OUT:-/tmp/gpu-out}
BUDGET=${BUDGET:-430}
nvidia-smi -L || true
python3 -c "import torch; print('torch', torch.__version__, torch.cuda.get_device_name(0))"
common=(--data .train-data/data.jsonl.xz --tokenizer .train-data/tok --device cuda --time-budget "$BUDGET"
        --batch 64 --seq 1024 --warmup 200 --ckpt-every 60 --log-every 100)
mkdir -p "$OUT/a" "$OUT/b"
python3 tools/train/train.py train "${common[@]}" --ckpt "$OUT/a" --lr 3e-3 --seed 1 --check-encoders &
pa=$!
python3 tools/train/train.py train "${common[@]}" --ckpt "$OUT/b" --lr 1.5e-3 --seed 2 > /tmp/run_b.txt 2>&1 &
pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
echo "run a exit $ra, run b exit $rb"
tail -5 /tmp/run_b.txt
