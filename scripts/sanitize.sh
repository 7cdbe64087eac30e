#!/usr/bin/env bash
# The suite under sanitizers (docs/sanitizers.md): configures the CMake preset,
# builds, runs ctest (unit, differential, CLI, devnet integration) and pytest
# against a devnet slot of its own, prints a summary.
#   scripts/sanitize.sh [asan-ubsan|tsan|all]     (default: all, one after the other)
# asan-ubsan: every ctest and the whole tests/python, the Python module loaded
# into CPython with the ASan runtime preloaded. tsan: the concurrent ctests
# (preset filter) and tests/python but the single-threaded testkit differentials.
# DEVNET_PORT_BASE picks the slot (default 9800). Sanitizer reports of pytest's
# processes land in build-<preset>/sanitize-logs/. Not part of scripts/test.sh:
# the builds alone take longer than the suite's time budget.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

case "${1:-all}" in
  asan-ubsan | tsan) PRESETS=("$1") ;;
  all) PRESETS=(asan-ubsan tsan) ;;
  *) echo "usage: scripts/sanitize.sh [asan-ubsan|tsan|all]" >&2; exit 2 ;;
esac
export DEVNET_PORT_BASE="${DEVNET_PORT_BASE:-9800}"
export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=true
PYTHON="$ROOT/.venv/bin/python"
LAUNCHER=()
command -v ccache >/dev/null && LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# Under TSan pytest skips the testkit differentials: one thread, long under TSan.
TSAN_PYTEST_SKIP=(--ignore-glob "$ROOT/tests/python/test_diff_*.py" --ignore "$ROOT/tests/python/test_rpc_strict.py")

started_devnet=0
stop_devnet() {
  if ((started_devnet)); then devnet/stop.sh >/dev/null 2>&1; started_devnet=0; fi
}
trap stop_devnet EXIT
# pytest's devnet is started here, outside the sanitizer environment (the
# preloaded runtime is for the Python interpreter only) and stopped on exit.
start_devnet() {
  curl -sf -o /dev/null "http://127.0.0.1:$((DEVNET_PORT_BASE + 1))/health" && return 0
  devnet/start.sh >"$1/devnet-start.log" 2>&1 || { tail -20 "$1/devnet-start.log"; return 1; }
  started_devnet=1
}

# Sanitizer reports in the log dir: count them, show the first lines of each.
reports() {
  local logs=$1 n=0 f
  for f in "$logs"/asan.* "$logs"/ubsan.* "$logs"/tsan.*; do
    [[ -s $f ]] || continue
    n=$((n + 1))
    echo "---- $f" >&2
    head -40 "$f" >&2
  done
  echo "$n"
}

SUMMARY=()
failed=0
for preset in "${PRESETS[@]}"; do
  build="$ROOT/build-$preset"
  logs="$build/sanitize-logs"
  t0=$(date +%s)
  # The port base is a cache variable: pass it, or an older configure's value stays.
  cmake --preset "$preset" "${LAUNCHER[@]}" -DVERINFER_DEVNET_PORT_BASE="$DEVNET_PORT_BASE" >/dev/null ||
    { SUMMARY+=("$preset: configure FAILED"); failed=1; continue; }
  nice cmake --build "$build" ||
    { SUMMARY+=("$preset: build FAILED"); failed=1; continue; }
  t1=$(date +%s)

  nice ctest --preset "$preset" 2>&1 | tee "$build/sanitize-ctest.log" | grep -E "tests passed|Failed|\*\*\*"
  ctest_rc=${PIPESTATUS[0]}
  ctest_line=$(grep -E "tests passed" "$build/sanitize-ctest.log" | tail -1)
  t2=$(date +%s)

  rm -rf "$logs" && mkdir -p "$logs"
  # pycryptodome (eth-account) dlopens with RTLD_DEEPBIND, which the sanitizers refuse.
  export PYCRYPTODOME_DISABLE_DEEPBIND=1
  if ! start_devnet "$logs"; then
    SUMMARY+=("$preset: devnet did not start"); failed=1; continue
  fi
  if [[ $preset == asan-ubsan ]]; then
    flags="detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:allocator_may_return_null=1"
    (
      export VERINFER_BUILD_DIR="$build" PYTHONPATH="$ROOT/tests/sanitizers"
      export ASAN_OPTIONS="$flags:log_path=$logs/asan"
      export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$logs/ubsan"
      export LSAN_OPTIONS="suppressions=$ROOT/tests/sanitizers/lsan.supp:print_suppressions=0"
      # Python objects on the heap LeakSanitizer scans (pymalloc's arenas are mmap'd).
      export PYTHONMALLOC=malloc
      # C++ doc snippets link the ASan library (tests/sanitizers/sanitizer_preload.py).
      export VERINFER_SANITIZE_CXXFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all"
      LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)" \
        nice "$PYTHON" -m pytest -q -p sanitizer_preload tests/python
    ) 2>&1 | tee "$build/sanitize-pytest.log" | tail -15
    pytest_rc=${PIPESTATUS[0]}
  else
    (
      export VERINFER_BUILD_DIR="$build" PYTHONPATH="$ROOT/tests/sanitizers"
      export TSAN_OPTIONS="second_deadlock_stack=1:log_path=$logs/tsan"
      export VERINFER_SANITIZE_CXXFLAGS="-fsanitize=thread"
      LD_PRELOAD="$(gcc -print-file-name=libtsan.so)" \
        nice "$PYTHON" -m pytest -q -p sanitizer_preload tests/python "${TSAN_PYTEST_SKIP[@]}"
    ) 2>&1 | tee "$build/sanitize-pytest.log" | tail -15
    pytest_rc=${PIPESTATUS[0]}
  fi
  stop_devnet
  pytest_line=$(grep -E "[0-9]+ (passed|failed)" "$build/sanitize-pytest.log" | tail -1)
  n_reports=$(reports "$logs")
  t3=$(date +%s)

  status=ok
  if ((ctest_rc != 0 || pytest_rc != 0 || n_reports != 0)); then status=FAILED; failed=1; fi
  SUMMARY+=("$preset: $status; build $((t1 - t0)) s; ctest $((t2 - t1)) s: ${ctest_line:-no result} (rc $ctest_rc);"
            "  pytest $((t3 - t2)) s: ${pytest_line:-no result} (rc $pytest_rc); sanitizer reports from pytest's processes: $n_reports ($logs)")
done

echo
echo "== sanitize summary (devnet slot $DEVNET_PORT_BASE)"
printf '%s\n' "${SUMMARY[@]}"
exit $failed
