#!/usr/bin/env bash
# Installs what verinfer needs on Debian 12, idempotently: Debian packages,
# a Python virtual environment (.venv) with pinned tools, and the pinned npm
# packages of the interop tests and the devnet. Safe to run again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { printf '[setup] %s\n' "$*"; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates openssl curl
  libssl-dev libcurl4-openssl-dev libsimdjson-dev libfmt-dev doctest-dev
  libsecp256k1-dev libcbor-dev libsodium-dev libbenchmark-dev libcpp-httplib-dev python3-dev python3-venv
  clang-19 libclang-rt-19-dev  # libFuzzer + sanitizer runtimes (scripts/fuzz.sh; clang 14 lacks std::expected)
  tinyproxy  # HTTP proxy for the transport tests (tests/integration/test_transport_paths.cpp)
  doxygen  # the API reference and its test (tests/python/test_docs.py)
)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
# Node.js 18+ with npm: use the machine's if present, else Debian's.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "Debian packages: all present"
fi

# Python: Debian's interpreter, a private venv, pinned requirements.
PY=/usr/bin/python3
stamp=.venv/.requirements.sha256
want="$(sha256sum requirements-dev.txt | cut -d' ' -f1)"
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  log "creating .venv with pinned Python tools"
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
  echo "$want" > "$stamp"
else
  log "Python venv: up to date"
fi

# npm: every package with a lockfile, installed exactly from it.
for dir in tests/interop devnet; do
  [ -f "$dir/package-lock.json" ] || continue
  lock_sum="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$dir/node_modules/.lock.sha256" 2>/dev/null)" != "$lock_sum" ]; then
    log "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$lock_sum" > "$dir/node_modules/.lock.sha256"
  else
    log "npm packages in $dir: up to date"
  fi
done
log "done"
