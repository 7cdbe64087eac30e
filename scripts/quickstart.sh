#!/usr/bin/env bash
# The main job: set up, build, start the local devnet, make one paid,
# verified, settled chat call (the C++ example, then `verinfer chat`), print
# every check, and stop the devnet.
# Exits 0 only when every required check passed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
"$ROOT/scripts/setup.sh"
BUILD="${VERINFER_BUILD_DIR:-$ROOT/build}"
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" --parallel "$(nproc)" --target example_devnet_chat verinfer_cli

started_devnet=0
if ! curl -sf -o /dev/null "http://127.0.0.1:${DEVNET_GATEWAY_PORT:-8600}/health"; then
  "$ROOT/devnet/start.sh"
  started_devnet=1
fi
stop_devnet() { if [ "$started_devnet" = 1 ]; then "$ROOT/devnet/stop.sh" >/dev/null; fi; }
trap stop_devnet EXIT

echo
VERINFER_DEVNET_PROFILE="$ROOT/devnet/run/profile.json" "$BUILD/examples/example_devnet_chat"

# The same kind of call from the shell: the answer on stdout, one ✓ line per
# check on stderr, exit 0 only when verified. The key is the devnet's
# throwaway test payer, passed as a file (never as an argument).
PROFILE="$ROOT/devnet/run/profile.json"
payer_key="$(mktemp)"
trap 'rm -f "$payer_key"; stop_devnet' EXIT
python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["testPayer"]["privateKey"])' "$PROFILE" >"$payer_key"
echo
echo '$ verinfer chat --model openai/gpt-5 --message "Hello from the shell" --key-file payer.key'
"$BUILD/verinfer" chat --profile "$PROFILE" --model openai/gpt-5 --message "Hello from the shell" --key-file "$payer_key"
