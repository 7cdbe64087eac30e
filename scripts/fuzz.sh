#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang + ASan + UBSan) in their own
# build directory and runs each for SECONDS over its seeds, its regression
# inputs and what earlier runs found; prints execs/s and coverage per target.
# Usage: scripts/fuzz.sh [SECONDS per target, default 60]. docs/fuzzing.md.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_PER_TARGET="${1:-60}"
BUILD="${VERINFER_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
CXX_FUZZ="${VERINFER_FUZZ_CXX:-$(command -v clang++-19 || command -v clang++)}"
if [ -z "$CXX_FUZZ" ]; then echo "[fuzz] no clang++ found (scripts/setup.sh installs clang-19)" >&2; exit 1; fi
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi

# -O1: ASan's usual level; -O2 doubles the build for little fuzzing speed.
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=None \
  -DCMAKE_CXX_COMPILER="$CXX_FUZZ" -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only" "${launcher[@]}" \
  -DVERINFER_FUZZ=ON -DVERINFER_FUZZ_SECONDS="$SECONDS_PER_TARGET" \
  -DVERINFER_TESTS=OFF -DVERINFER_CLI=OFF -DVERINFER_EXAMPLES=OFF -DVERINFER_INSTALL=OFF \
  -DVERINFER_PYTHON=OFF >/dev/null || exit 1
cmake --build "$BUILD" --parallel "$(nproc)" || exit 1

export ASAN_SYMBOLIZER_PATH="${ASAN_SYMBOLIZER_PATH:-$(command -v llvm-symbolizer-19 || command -v llvm-symbolizer)}"
(cd "$BUILD" && ctest --output-on-failure --parallel "$(nproc)" -L fuzz)
rc=$?
# Figures of this run, from libFuzzer's final stats in the CTest log.
"${VERINFER_PYTHON:-python3}" - "$BUILD/Testing/Temporary/LastTest.log" <<'PY'
import re, sys
log = open(sys.argv[1], errors="replace").read()
print(f"{'target':28} {'execs':>10} {'execs/s':>8} {'cov':>6} {'ft':>7} {'corpus':>7}")
for part in re.split(r"\n\d+/\d+ Test: ", log)[1:]:
    name = part.split("\n", 1)[0].replace("fuzz: ", "").strip()
    done = re.findall(r"#(\d+)\s+DONE\s+cov: (\d+) ft: (\d+) corp: (\d+)", part)
    rate = re.search(r"stat::average_exec_per_sec:\s+(\d+)", part)
    if done:
        n, cov, ft, corp = done[-1]
        print(f"{name:28} {n:>10} {rate.group(1) if rate else '?':>8} {cov:>6} {ft:>7} {corp:>7}")
    else:
        print(f"{name:28} (no final stats: crashed or did not run)")
PY
exit $rc
