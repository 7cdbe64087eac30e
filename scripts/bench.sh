#!/usr/bin/env bash
# Builds the benchmarks (Release) and runs them; writes docs/benchmarks.md
# with the machine's details and the figures exactly as the runs printed them.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
"$ROOT/scripts/setup.sh" >/dev/null
BUILD="$ROOT/build-bench"
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVERINFER_BENCHMARKS=ON \
  -DVERINFER_TESTS=OFF -DVERINFER_EXAMPLES=OFF -DVERINFER_CLI=OFF >/dev/null
cmake --build "$BUILD" --parallel "$(nproc)" >/dev/null
MIN_TIME="${VERINFER_BENCH_MIN_TIME:-0.5}"
# The end-to-end bench runs against a private devnet slot started here and
# stopped on any exit (one already running on the slot is left as it was).
export DEVNET_PORT_BASE="${DEVNET_PORT_BASE:-9600}"
export VERINFER_DEVNET_PROFILE="$ROOT/devnet/run-$DEVNET_PORT_BASE/profile.json"
if ! curl -sf -o /dev/null "http://127.0.0.1:$((DEVNET_PORT_BASE + 1))/health"; then
  trap '"$ROOT/devnet/stop.sh" >/dev/null 2>&1 || true' EXIT
  "$ROOT/devnet/start.sh" >/dev/null
fi
OUT="$ROOT/docs/benchmarks.md"
mkdir -p "$ROOT/docs"
{
  echo "# verinfer benchmarks"
  echo
  echo "Written by \`scripts/bench.sh\` on $(date -u +%Y-%m-%dT%H:%MZ); every figure below is"
  echo "printed by a run, nothing is typed in. Re-run the script to refresh it."
  echo
  echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') ($(nproc) cores)"
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- compiler: $(c++ --version | head -1); OpenSSL $(openssl version | cut -d' ' -f2)"
  for bench in bench_crypto bench_verify bench_tee bench_settle; do
    echo
    echo "## $bench"
    echo
    echo '```'
    "$BUILD/bench/$bench" --benchmark_min_time="$MIN_TIME" \
      --benchmark_out="$BUILD/$bench.json" --benchmark_out_format=json 2>/dev/null
    echo '```'
  done
  echo
  echo "## Python reference, side by side"
  echo
  echo "\`bench/python_reference.py\` rebuilds bench_tee's inputs (it checks the canonical"
  echo "sizes match) and times the Python path on this machine; the C++ column is read"
  echo "from the runs above. The Python ecrecover rows also hash the EIP-191 message"
  echo "(one Keccak of 43 bytes), which \`BM_RecoverVerinfer\` does not."
  echo
  "$ROOT/.venv/bin/python" "$ROOT/bench/python_reference.py" "$BUILD/bench_tee.json" "$BUILD/bench_crypto.json" \
    "$BUILD/bench_verify.json"
  echo
  echo "Reading the table: \`BM_KeccakAbsorb/NAME\` is each Keccak-f implementation this CPU"
  echo "runs absorbing 1 MiB (\`bmi2\`: the same code compiled for BMI1/BMI2, picked at run time;"
  echo "\`portable\`: any CPU); \`BM_Keccak256\` goes through the one in use."
  echo "\`BM_VerifyTeeResponse/N\` is the whole check of a signed"
  echo "response (canonical request, request/output hashes, msg hash, RSA-PSS, tee_id,"
  echo "time policy); \`BM_RawHashesPlusOpenSslVerify/N\` is only the two Keccak hashes"
  echo "and one OpenSSL RSA-PSS verification of the same bytes. \`BM_NitroVerify/1\` uses"
  echo "the chain cache; \`BM_OpenSslEs384Verify\` is one raw ES384 verification."
  echo "\`BM_RsaPssVerifyVerinfer\` / \`BM_RsaPssVerifyRawOpenSsl\` are one RSA-PSS check of a"
  echo "msg_hash through verinfer's \`verify_rsa_pss_sha256\` and through OpenSSL directly."
  echo "\`BM_MerkleVerifyProof/N\` verifies inclusion proofs in a batch tree of N leaves;"
  echo "\`BM_ReceiptParse\` is an eth_getTransactionReceipt result (4 logs) from JSON text"
  echo "to a checked receipt, as the RPC client reads it; \`BM_IndividualSettlementCheck\`"
  echo "checks that receipt's IndividualSettlement against the call; \`BM_SseParse/N\` and"
  echo "\`BM_ChatStreamRead/N\` read a ~1 MiB gateway chat stream in N-byte chunks (SSE"
  echo "framing only, then SSE plus each delta's JSON)."
  echo
  echo "## End to end against the devnet"
  echo
  echo "\`bench/bench_e2e.cpp\`: one Client makes the same paid chat call verified"
  echo "(\`chat()\`) and unverified (\`chat_unverified()\`), interleaved call by call; the"
  echo "attestation and registry checks are cached after a warm-up call (the steady"
  echo "state), and both paths pay the devnet's x402 price alike. Then calls/s with 1, 8"
  echo "and 64 callers for each path (${VERINFER_BENCH_E2E_SECONDS:-10} s per run)."
  echo
  "$BUILD/bench/bench_e2e" "${VERINFER_BENCH_E2E_PAIRS:-200}" "${VERINFER_BENCH_E2E_SECONDS:-10}"
} > "$OUT"
cat "$OUT"
