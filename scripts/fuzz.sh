#!/usr/bin/env bash
# Builds the libFuzzer targets (clang) and runs each for SECONDS (default 60).
# A long run: scripts/fuzz.sh 3600
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-60}"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DCMAKE_C_COMPILER=clang \
    -DCMAKE_CXX_COMPILER=clang++ -DHYSERVE_FUZZ=ON >/dev/null
cmake --build build-fuzz --target $(cd fuzz && ls fuzz_*.cpp | sed "s/\.cpp$//")
for bin in build-fuzz/fuzz_*; do
    [[ -x "$bin" ]] || continue
    name=$(basename "$bin")
    corpus="build-fuzz/corpus-$name"
    mkdir -p "$corpus"
    seeds=()
    [[ -d "fuzz/seeds/${name#fuzz_}" ]] && seeds=("fuzz/seeds/${name#fuzz_}")
    echo "-- $name for ${SECONDS_EACH}s"
    "$bin" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
        "$corpus" "${seeds[@]}" 2>&1 | tail -n 4
done
