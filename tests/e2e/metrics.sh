#!/usr/bin/env bash
# GET /metrics and /v1/metrics (spec/api.md §7, issue 6) on a real server with the tiny test model: the
# vLLM families exist with HELP/TYPE lines and the model_name label, counters and histograms move by
# exactly what a request did, and `hyserve bench-serve` completes a tiny sweep whose tokens show up in
# the counters.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/e2e/server_harness.sh
start_server --served-model-name tiny
PY=/usr/bin/python3
M="$TMP/metrics"

scrape() { curl -sf "$HYSERVE_URL$1" >"$2"; }
# value FILE SAMPLE: the value of one sample line (exact name and labels), or "missing".
value() { awk -v k="$2" '$1 == k { v = $2 } END { print (v == "" ? "missing" : v) }' "$1"; }
L='engine="0",model_name="tiny"'
fail() { echo "FAIL: $*" >&2; tail -20 "$SERVER_LOG" >&2; exit 1; }

scrape /metrics "$M.0"
ct=$(curl -sf -o /dev/null -w '%{content_type}' "$HYSERVE_URL/metrics")
[[ "$ct" == text/plain* ]] || fail "content type $ct"
for fam in "vllm:num_requests_running gauge" "vllm:num_requests_waiting gauge" "vllm:kv_cache_usage_perc gauge" \
    "vllm:prompt_tokens_total counter" "vllm:generation_tokens_total counter" "vllm:num_preemptions_total counter" \
    "vllm:request_success_total counter" "vllm:prefix_cache_queries_total counter" \
    "vllm:prefix_cache_hits_total counter" "vllm:time_to_first_token_seconds histogram" \
    "vllm:inter_token_latency_seconds histogram" "vllm:e2e_request_latency_seconds histogram" \
    "vllm:request_queue_time_seconds histogram" "vllm:request_prefill_time_seconds histogram" \
    "vllm:request_decode_time_seconds histogram" "http_requests_total counter"; do
    grep -qx "# TYPE $fam" "$M.0" || fail "no '# TYPE $fam'"
    grep -q "^# HELP ${fam% *} " "$M.0" || fail "no HELP for ${fam% *}"
done
grep -q '^vllm:cache_config_info{block_size="64",enable_prefix_caching="True",engine="0",.*num_gpu_blocks="[1-9][0-9]*".*} 1.0$' "$M.0" ||
    fail "vllm:cache_config_info: $(grep '^vllm:cache_config_info' "$M.0")"
[[ $(value "$M.0" "vllm:time_to_first_token_seconds_bucket{engine=\"0\",le=\"0.001\",model_name=\"tiny\"}") != missing ]] ||
    fail "TTFT bucket le=0.001 missing"

# One completion of exactly 5 tokens (ignore_eos) with a 3-token prompt given as ids.
body='{"model":"tiny","prompt":[100,101,102],"max_tokens":5,"ignore_eos":true,"temperature":0}'
curl -sf "$HYSERVE_URL/v1/completions" -H 'Content-Type: application/json' -d "$body" >/dev/null
scrape /v1/metrics "$M.1"
delta() { $PY -c "import sys; print(int(float(sys.argv[2]) - float(sys.argv[1])))" "$(value "$M.0" "$1")" "$(value "$M.1" "$1")"; }
[[ $(delta "vllm:generation_tokens_total{$L}") == 5 ]] || fail "generation_tokens_total moved by $(delta "vllm:generation_tokens_total{$L}")"
[[ $(delta "vllm:prompt_tokens_total{$L}") == 3 ]] || fail "prompt_tokens_total moved by $(delta "vllm:prompt_tokens_total{$L}")"
[[ $(delta "vllm:request_success_total{engine=\"0\",finished_reason=\"length\",model_name=\"tiny\"}") == 1 ]] || fail "request_success length"
[[ $(delta "vllm:time_to_first_token_seconds_count{$L}") == 1 ]] || fail "TTFT count"
[[ $(delta "vllm:inter_token_latency_seconds_count{$L}") == 4 ]] || fail "ITL count"
[[ $(delta "vllm:e2e_request_latency_seconds_count{$L}") == 1 ]] || fail "e2e count"
[[ $(value "$M.1" "vllm:num_requests_running{$L}") == 0.0 ]] || fail "running gauge not back to 0"
[[ $(value "$M.1" "http_requests_total{handler=\"/v1/completions\",method=\"POST\",status=\"2xx\"}") == 1.0 ]] ||
    fail "http_requests_total for /v1/completions"

# bench-serve smoke: 4 streaming requests at concurrency 1 and 2 (16 prompt + 4 output tokens each),
# driven by the event-loop client (its warm-up request goes through the httplib one).
"$BIN" bench-serve --url "$HYSERVE_URL" --concurrency 1,2 --input-len 16 --output-len 4 --num-prompts 4 \
    --shared-prefix-len 8 --client loop --json >"$TMP/bench.json" || fail "bench-serve failed"
$PY - "$TMP/bench.json" <<'PYEOF' || fail "bench-serve report"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["model"] == "tiny", r["model"]
assert [x["concurrency"] for x in r["results"]] == [1, 2]
for x in r["results"]:
    assert x["completed"] == 4 and x["failed"] == 0, x
    assert x["total_output_tokens"] == 16 and x["total_input_tokens"] == 64, x
    assert x["output_throughput"] > 0 and x["ttft_ms"]["p50"] > 0 and x["ttft_ms"]["p99"] >= x["ttft_ms"]["p50"], x
    # aggregate decode throughput = concurrency x mean per-request (output - 1) / (e2e - TTFT)
    assert x["decode_tok_s_per_stream"] > 0, x
    assert abs(x["aggregate_decode_throughput"] - x["concurrency"] * x["decode_tok_s_per_stream"]) < 1e-6 * x["aggregate_decode_throughput"], x
PYEOF
scrape /metrics "$M.2"
# warm-up (2 tokens) + 8 requests × 4 tokens since the last scrape
g=$($PY -c "import sys; print(int(float(sys.argv[2]) - float(sys.argv[1])))" \
    "$(value "$M.1" "vllm:generation_tokens_total{$L}")" "$(value "$M.2" "vllm:generation_tokens_total{$L}")")
[[ $g == 34 ]] || fail "generation tokens after bench-serve moved by $g, expected 34"
stop_server

# --long-prefill-token-threshold 16: a 100-token prompt prefills in 7 steps of at most 16 tokens, which
# vllm:iteration_tokens_total shows (one step of 100 without the cap).
start_server --served-model-name tiny --long-prefill-token-threshold 16
body=$($PY -c 'import json; print(json.dumps({"model":"tiny","prompt":list(range(100,200)),"max_tokens":1}))')
curl -sf "$HYSERVE_URL/v1/completions" -H 'Content-Type: application/json' -d "$body" >/dev/null || fail "capped prompt"
scrape /metrics "$M.3"
steps=$(value "$M.3" "vllm:iteration_tokens_total_count{$L}")
small=$(value "$M.3" "vllm:iteration_tokens_total_bucket{engine=\"0\",le=\"16.0\",model_name=\"tiny\"}")
[[ $steps == 7.0 && $small == 7.0 ]] || fail "--long-prefill-token-threshold 16: $steps steps, $small of them <= 16 tokens"
echo "metrics e2e: ok"
