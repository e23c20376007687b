#!/bin/bash
# Session 5's retrain of the default model (issue 11), as sent to the device machine; NOT the committed
# model (that is tools/train/gpu_train.sh + gpu_finetune.sh). The two training stages of
# scripts/train_default_model.sh (stage 1 on $DATA/data.jsonl.xz, the fine-tune on $DATA/data_ft.jsonl.xz,
# $DATA/tok from that script's steps 1-2, here with `gen_data.py --upper-share 0.15 --upper-max-len 80`
# for stage 1 and first-fit packing over 32 rows), run twice side by side on the one GPU with the same
# seeds: run B is the from-scratch rerun of run A (issue 11, verification 4). Each run gets half the GPU
# (~320K tokens/s on an H200), so both fit one session's device time. Figures: docs/default_model.md.
#
# Each stage has a time budget: train.py times its first steps and fixes the step count so the cosine
# schedule ends with the budget. Returns 8 files (the device tool's limit): $OUT/{a,b}/{ckpt.0,ckpt.1}.
# safetensors, ckpt_info.json and train_log.txt (both stages' logs). Continue with gpu_copy_stage.sh.
#   OUT=/path S1=315 S2=205 tools/train/gpu_two_runs.sh   (smoke run: DEVICE=cpu MAX_DOCS=300 BATCH=2 SEQ=128 S1=20 S2=10)
set -uo pipefail
source "$(dirname "$0")/run_pair.sh"
DATA=${DATA:-.train-new}
S1=${S1:-315}
S2=${S2:-205}
$PY -c "import torch; print('torch', torch.__version__, torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'no GPU')"

common=(--tokenizer "$DATA/tok" --device "$DEVICE" --batch "$BATCH" --seq "$SEQ" --log-every 100 --max-docs "$MAX_DOCS" --pack-open-rows 32)
[[ "$DEVICE" == cpu ]] && common+=(--threads 1)

one_run() {  # one_run NAME: stage 1 into /tmp, the fine-tune into $OUT/NAME (its log appends to stage 1's)
    local name=$1 stage1=/tmp/gpu-stage1-$1
    rm -rf "$stage1" "${OUT:?}/$name"
    $PY tools/train/train.py train "${common[@]}" --data "$DATA/data.jsonl.xz" --ckpt "$stage1" \
        --time-budget "$S1" --warmup 200 --lr 3e-3 --seed 1 --ckpt-every 60 --check-encoders || return 1
    mkdir -p "$OUT/$name"
    cp "$stage1/train_log.txt" "$OUT/$name/train_log.txt"
    $PY tools/train/train.py train "${common[@]}" --data "$DATA/data_ft.jsonl.xz" --ckpt "$OUT/$name" \
        --time-budget "$S2" --warmup 50 --lr 1e-3 --seed 3 --init-from "$stage1" --ckpt-every 30
}

run_pair one_run
