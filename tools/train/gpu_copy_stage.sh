#!/bin/bash
# Stage 3 of session 5's retrain (issue 11; not the committed model), the copy stage, as sent to the
# device machine: runs A and B of tools/train/gpu_two_runs.sh continue side by side from their fine-tuned checkpoints (matrices rounded
# to bf16 by `train.py round`, so both fit the device tool's upload) on fresh data (seed 4) in which the
# weather and copy skills have twice and three times their usual weight: copying a never-seen name is the
# skill that needs the most training (unseen cities 66% after stages 1-2 of 151M tokens per run).
# Writes $OUT/{a,b}/{ckpt.0,ckpt.1}.safetensors, ckpt_info.json and train_log.txt.
#   OUT=/path S3=222 tools/train/gpu_copy_stage.sh     (smoke run: DEVICE=cpu MAX_DOCS=300 BATCH=2 SEQ=128 S3=10)
set -uo pipefail
source "$(dirname "$0")/run_pair.sh"
DATA=${DATA:-.train-s3}
S3=${S3:-222}

stage3() {  # stage3 NAME
    rm -rf "${OUT:?}/$1"
    $PY tools/train/train.py train --data "$DATA/data_s3.jsonl.xz" --tokenizer "$DATA/tok" --ckpt "$OUT/$1" \
        --device "$DEVICE" --batch "$BATCH" --seq "$SEQ" --max-docs "$MAX_DOCS" $([[ "$DEVICE" == cpu ]] && echo --threads 1) \
        --time-budget "$S3" --warmup 50 --lr 1e-3 --seed 4 --init-from "$DATA/init-$1" --ckpt-every 30 --log-every 100 --pack-open-rows 32
}
run_pair stage3
