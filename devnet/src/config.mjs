// Shared configuration of the verinfer devnet: ports, paths, accounts. Everything binds to 127.0.0.1.
import path from "node:path";
import fs from "node:fs";
import { fileURLToPath } from "node:url";

export const DEVNET_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const RUN_DIR = process.env.DEVNET_RUN_DIR || path.join(DEVNET_DIR, "run");
export const HOST = "127.0.0.1";

const int = (name, dflt) => {
  const v = process.env[name];
  if (v === undefined || v === "") return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${v}`);
  return n;
};

export const CHAIN_ID = 31337;
export const PORTS = {
  chain: int("DEVNET_CHAIN_PORT", 8545),
  gateway: int("DEVNET_GATEWAY_PORT", 8600),
  facilitator: int("DEVNET_FACILITATOR_PORT", 8601),
  blob: int("DEVNET_BLOB_PORT", 8602),
  gatewayTls: int("DEVNET_GATEWAY_TLS_PORT", 8643),
  relay: int("DEVNET_RELAY_PORT", 8603),
};
export const RPC_URL = `http://${HOST}:${PORTS.chain}`;
export const GATEWAY_URL = `http://${HOST}:${PORTS.gateway}`;
export const GATEWAY_TLS_URL = `https://${HOST}:${PORTS.gatewayTls}`;
export const FACILITATOR_URL = `http://${HOST}:${PORTS.facilitator}`;
export const BLOB_URL = `http://${HOST}:${PORTS.blob}`;
export const RELAY_URL = `http://${HOST}:${PORTS.relay}`;

export const SETTINGS = {
  batchSize: int("DEVNET_BATCH_SIZE", 20),          // flush a batch after this many items
  batchIdleMs: int("DEVNET_BATCH_IDLE_MS", 3000),   // ... or after this much idle time
  priceAmount: String(int("DEVNET_PRICE", 10000)),  // x402 price per call in token base units (6 decimals: 0.01)
  payerFunds: 1_000_000n * 10n ** 6n,               // dUSDC minted to the payer
};

export const TOKEN_NAME = "Devnet USD Coin";
export const TOKEN_VERSION = "2";
export const TOKEN_DECIMALS = 6;
export const NETWORK = `eip155:${CHAIN_ID}`;
export const MULTICALL3 = "0xcA11bde05977b3631167028862bE2a173976CA11";
export const TEE_TYPE_LLM = 0;

// Standard dev mnemonic (anvil, hardhat): accounts are public knowledge and worth nothing.
export const MNEMONIC = "test test test test test test test test test test test junk";
// Roles -> account index on the standard mnemonic.
export const ROLES = { deployer: 0, x402Facilitator: 1, teeOperator: 2, payer: 3, settler: 4, relay: 5 };

export function runPath(...p) { return path.join(RUN_DIR, ...p); }
export function readJson(p) { return JSON.parse(fs.readFileSync(p, "utf8")); }
export function writeJsonAtomic(p, obj) {
  const tmp = `${p}.tmp${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(obj, null, 2) + "\n");
  fs.renameSync(tmp, p);
}

// Fixed devnet PCR0..2 (48 bytes each): sha384 of a label, so they look like measurements.
import crypto from "node:crypto";
export function devnetPcrs() {
  const pcrs = {};
  for (let i = 0; i < 16; i++) {
    pcrs[i] = i <= 2 ? crypto.createHash("sha384").update(`verinfer-devnet-pcr${i}`).digest() : Buffer.alloc(48);
  }
  return pcrs;
}
