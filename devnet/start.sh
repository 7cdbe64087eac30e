#!/usr/bin/env bash
# Starts the verinfer devnet on 127.0.0.1. Idempotent: a running, healthy devnet is left alone.
# Env: DEVNET_CHAIN_PORT (8545) DEVNET_GATEWAY_PORT (8600) DEVNET_FACILITATOR_PORT (8601)
#      DEVNET_BLOB_PORT (8602) DEVNET_GATEWAY_TLS_PORT (8643) DEVNET_RELAY_PORT (8603) DEVNET_START_TIMEOUT (seconds, 30)
#      DEVNET_BATCH_SIZE (20) DEVNET_BATCH_IDLE_MS (3000) DEVNET_PRICE (10000 = 0.01 dUSDC)
#      DEVNET_PORT_BASE: a second, independent devnet (ports BASE..BASE+5, run dir run-BASE)
#      DEVNET_RUN_DIR (run/, or run-BASE): pid files, logs, profile.json
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
DEVNET_DIR=$(pwd)
source "$DEVNET_DIR/slot.sh"
RUN="$DEVNET_RUN_DIR"
export DEVNET_CHAIN_PORT=${DEVNET_CHAIN_PORT:-8545}
export DEVNET_GATEWAY_PORT=${DEVNET_GATEWAY_PORT:-8600}
export DEVNET_FACILITATOR_PORT=${DEVNET_FACILITATOR_PORT:-8601}
export DEVNET_BLOB_PORT=${DEVNET_BLOB_PORT:-8602}
export DEVNET_GATEWAY_TLS_PORT=${DEVNET_GATEWAY_TLS_PORT:-8643}
export DEVNET_RELAY_PORT=${DEVNET_RELAY_PORT:-8603}
TIMEOUT=${DEVNET_START_TIMEOUT:-30}
ANVIL="$DEVNET_DIR/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"
H=127.0.0.1

# name | health URL (GET unless it starts with "rpc:")
COMPONENTS=(anvil facilitator gateway relay)
health_url() {
  case "$1" in
    anvil) echo "rpc:http://$H:$DEVNET_CHAIN_PORT" ;;
    facilitator) echo "http://$H:$DEVNET_FACILITATOR_PORT/supported" ;;
    gateway) echo "http://$H:$DEVNET_GATEWAY_PORT/health" ;;
    relay) echo "http://$H:$DEVNET_RELAY_PORT/health" ;;
  esac
}
port_of() {
  case "$1" in
    anvil) echo "$DEVNET_CHAIN_PORT" ;; facilitator) echo "$DEVNET_FACILITATOR_PORT $DEVNET_BLOB_PORT" ;;
    gateway) echo "$DEVNET_GATEWAY_PORT $DEVNET_GATEWAY_TLS_PORT" ;; relay) echo "$DEVNET_RELAY_PORT" ;;
  esac
}

is_alive() { local f="$RUN/$1.pid"; [[ -f "$f" ]] && kill -0 "$(cat "$f")" 2>/dev/null; }
answers() {
  local u; u=$(health_url "$1")
  if [[ $u == rpc:* ]]; then
    curl -sf -m 2 -H 'content-type: application/json' \
      -d '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "${u#rpc:}" >/dev/null
  else
    curl -sf -m 2 "$u" >/dev/null
  fi
}
all_healthy() {
  local c
  for c in "${COMPONENTS[@]}"; do is_alive "$c" && answers "$c" || return 1; done
  [[ -f "$RUN/profile.json" ]]
}
fail() {
  local c=$1; shift
  echo "devnet: ERROR: $*" >&2
  if [[ -f "$RUN/$c.log" ]]; then echo "--- last lines of run/$c.log ---" >&2; tail -n 25 "$RUN/$c.log" >&2; fi
  "$DEVNET_DIR/stop.sh" >/dev/null 2>&1 || true
  exit 1
}
wait_for() {
  local c=$1 deadline=$((SECONDS + TIMEOUT))
  until answers "$c"; do
    is_alive "$c" || fail "$c" "$c exited during start-up"
    ((SECONDS < deadline)) || fail "$c" "$c did not answer at $(health_url "$c") within ${TIMEOUT}s"
    sleep 0.05
  done
}
launch() {  # name, command...
  local c=$1; shift
  setsid "$@" >"$RUN/$c.log" 2>&1 </dev/null &
  echo $! >"$RUN/$c.pid"
}

if all_healthy; then
  echo "devnet: already running (profile: $RUN/profile.json)"
  exit 0
fi
# Partly running (or stale pid files): the chain is in memory, so start everything afresh.
"$DEVNET_DIR/stop.sh" >/dev/null

T0=${EPOCHREALTIME/./}
mkdir -p "$RUN"
if [[ ! -x "$ANVIL" || ! -d node_modules/@x402/express ]]; then
  echo "devnet: installing packages with npm ci (one time)"
  npm ci --no-audit --no-fund >"$RUN/npm-ci.log" 2>&1 || { tail -n 30 "$RUN/npm-ci.log" >&2; exit 1; }
  T0=${EPOCHREALTIME/./}
fi
command -v openssl >/dev/null || { echo "devnet: ERROR: the openssl command is required (apt-get install openssl)" >&2; exit 1; }
for c in "${COMPONENTS[@]}"; do
  for p in $(port_of "$c"); do
    if (exec 3<>"/dev/tcp/$H/$p") 2>/dev/null; then
      echo "devnet: ERROR: port $p ($c) on $H is already in use; set DEVNET_*_PORT" >&2; exit 1
    fi
  done
done
rm -f "$RUN/profile.json" "$RUN/gateway.json" "$RUN/relay.json" "$RUN/deploy.json"

launch anvil "$ANVIL" --host $H --port "$DEVNET_CHAIN_PORT" --chain-id 31337 --accounts 10 --balance 10000 --silent
wait_for anvil
# Deploy while the services load their modules (they wait for run/deploy.json).
node src/bootstrap.mjs >"$RUN/bootstrap.log" 2>&1 &
BOOT=$!
for c in "${COMPONENTS[@]:1}"; do launch "$c" node "src/$c.mjs"; done
wait $BOOT || fail bootstrap "contract deployment failed"
for c in "${COMPONENTS[@]:1}"; do wait_for "$c"; done
node src/profile.mjs >>"$RUN/bootstrap.log" 2>&1 || fail bootstrap "writing profile.json failed"

T1=${EPOCHREALTIME/./}
printf 'devnet: up in %d ms  chain %s  gateway %s  facilitator %s  blobs %s  relay %s\n' $(( (T1 - T0) / 1000 )) \
  "http://$H:$DEVNET_CHAIN_PORT" "http://$H:$DEVNET_GATEWAY_PORT" "http://$H:$DEVNET_FACILITATOR_PORT" "http://$H:$DEVNET_BLOB_PORT" \
  "http://$H:$DEVNET_RELAY_PORT"
echo "devnet: profile $RUN/profile.json, logs $RUN/*.log"
