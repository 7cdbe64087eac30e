# Sourced by start.sh/stop.sh: DEVNET_PORT_BASE picks an independent devnet (its own ports and run
# dir), so several checkouts or test runs can share one machine. Explicit DEVNET_*_PORT still win.
if [[ -n "${DEVNET_PORT_BASE:-}" ]]; then
  [[ $DEVNET_PORT_BASE =~ ^[0-9]+$ ]] && ((DEVNET_PORT_BASE >= 1024 && DEVNET_PORT_BASE <= 65530)) ||
    { echo "devnet: ERROR: DEVNET_PORT_BASE must be a port in 1024..65530, got '$DEVNET_PORT_BASE'" >&2; exit 2; }
  export DEVNET_CHAIN_PORT=${DEVNET_CHAIN_PORT:-$DEVNET_PORT_BASE}
  export DEVNET_GATEWAY_PORT=${DEVNET_GATEWAY_PORT:-$((DEVNET_PORT_BASE + 1))}
  export DEVNET_FACILITATOR_PORT=${DEVNET_FACILITATOR_PORT:-$((DEVNET_PORT_BASE + 2))}
  export DEVNET_BLOB_PORT=${DEVNET_BLOB_PORT:-$((DEVNET_PORT_BASE + 3))}
  export DEVNET_GATEWAY_TLS_PORT=${DEVNET_GATEWAY_TLS_PORT:-$((DEVNET_PORT_BASE + 4))}
  export DEVNET_RELAY_PORT=${DEVNET_RELAY_PORT:-$((DEVNET_PORT_BASE + 5))}
  export DEVNET_RUN_DIR=${DEVNET_RUN_DIR:-$DEVNET_DIR/run-$DEVNET_PORT_BASE}
else
  export DEVNET_RUN_DIR=${DEVNET_RUN_DIR:-$DEVNET_DIR/run}
fi
