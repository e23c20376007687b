#!/usr/bin/env bash
# Runs the whole test suite: unit tests (Release), end-to-end scripts, the unit tests again under
# AddressSanitizer + UBSan, and each fuzz target for a short time. `--quick` skips the last two.
set -euo pipefail
cd "$(dirname "$0")/.."
QUICK=0
[[ "${1:-}" == "--quick" ]] && QUICK=1
JOBS=$(nproc)

echo "== build (Release)"
cmake --build build

echo "== unit tests"
ctest --test-dir build --output-on-failure -j "$JOBS"

echo "== end-to-end and script tests"
for t in tests/e2e/*.sh tests/scripts/*.sh; do
    [[ -f "$t" ]] || continue
    [[ "$t" == *_harness.sh ]] && continue  # sourced by the other scripts, not a test
    echo "-- $t"
    bash "$t"
done

if ((QUICK)); then exit 0; fi

echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
# -O1 -g1: the optimisation level sanitizers recommend, and the fastest build that keeps line numbers.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DHYSERVE_SANITIZE=ON >/dev/null
cmake --build build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 HYSERVE_SANITIZED=1 \
    ctest --test-dir build-asan --output-on-failure -j "$JOBS"

# A 30 s smoke per target keeps CI under 30 min; `scripts/fuzz.sh SECONDS` runs longer campaigns.
echo "== fuzz targets (${HYSERVE_FUZZ_SECONDS:-30} s each)"
bash scripts/fuzz.sh "${HYSERVE_FUZZ_SECONDS:-30}"
echo "== all tests passed"
