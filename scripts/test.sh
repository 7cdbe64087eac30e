#!/usr/bin/env bash
# The whole test suite: set up, build with warnings as errors, run CTest
# (unit, vectors, differential, CLI, consumer build, integration) and pytest.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
"$ROOT/scripts/setup.sh" || exit 1

BUILD="${VERINFER_BUILD_DIR:-$ROOT/build}"
start=$(date +%s)
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVERINFER_WERROR=ON -DVERINFER_PYTHON=ON \
  -DPython3_EXECUTABLE="$ROOT/.venv/bin/python" >/dev/null || exit 1
cmake --build "$BUILD" --parallel "$(nproc)" || exit 1
echo "[test] build took $(( $(date +%s) - start )) s"

# Fuzz smoke run (docs/fuzzing.md): the libFuzzer targets, built with clang in
# their own build dir, each for a few seconds over its seeds and regressions.
fuzz_start=$(date +%s)
VERINFER_FUZZ_BUILD_DIR="${VERINFER_FUZZ_BUILD_DIR:-$BUILD-fuzz}" "$ROOT/scripts/fuzz.sh" "${VERINFER_FUZZ_SECONDS:-5}"
fuzz_rc=$?
echo "[test] fuzz smoke took $(( $(date +%s) - fuzz_start )) s"

(cd "$BUILD" && ctest --output-on-failure --parallel "$(nproc)" --timeout 900)
ctest_rc=$?

export VERINFER_BUILD_DIR="$BUILD"
"$ROOT/.venv/bin/python" -m pytest -q tests/python
pytest_rc=$?

echo "[test] total $(( $(date +%s) - start )) s"
if [ $ctest_rc -ne 0 ] || [ $pytest_rc -ne 0 ] || [ $fuzz_rc -ne 0 ]; then exit 1; fi
