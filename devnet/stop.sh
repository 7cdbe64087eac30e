#!/usr/bin/env bash
# Stops the verinfer devnet started by start.sh. Idempotent: nothing running = success.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
DEVNET_DIR=$(pwd)
source "$DEVNET_DIR/slot.sh"
RUN="$DEVNET_RUN_DIR"
stopped=0
for c in relay gateway facilitator anvil; do
  f="$RUN/$c.pid"
  [[ -f "$f" ]] || continue
  pid=$(cat "$f")
  # Only signal our own process (guards against a recycled pid).
  if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -e "anvil" -e "src/$c.mjs"; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    stopped=$((stopped + 1))
  fi
  rm -f "$f"
done
rm -f "$RUN/profile.json"
echo "devnet: stopped ($stopped process(es))"
