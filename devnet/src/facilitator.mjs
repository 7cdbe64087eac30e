// Devnet facilitator process:
//  - x402 v2 facilitator (scheme "exact", network eip155:31337, asset dUSDC) on FACILITATOR port:
//      GET /supported, POST /verify, POST /settle   (used by the gateway's @x402/express middleware)
//  - settlement facilitator (proofs of TEE calls onto SettlementRelay), same port:
//      POST /v1/settlements {type: individual|batch, teeId, ethAddress, inputHash, outputHash, signature, timestamp}
//      GET  /v1/settlements/:jobId, GET /v1/batches, POST /admin/flush
//  - blob store (Walrus stand-in) on BLOB port: GET /blobs/:id (and /v1/blobs/:id)
import crypto from "node:crypto";
import express from "express";
import { x402Facilitator } from "@x402/core/facilitator";
import { registerExactEvmScheme } from "@x402/evm/exact/facilitator";
import { toFacilitatorEvmSigner } from "@x402/evm";
import { createWalletClient, http, publicActions, defineChain } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { hexlify, toUtf8Bytes, getAddress } from "ethers";
import { HOST, PORTS, RPC_URL, CHAIN_ID, NETWORK, MULTICALL3, SETTINGS } from "./config.mjs";
import { roleAccount } from "./accounts.mjs";
import { provider, signerFor, contractAt, waitForDeployment } from "./chain.mjs";

const log = (...a) => console.log(new Date().toISOString(), "[facilitator]", ...a);
const LEAF_ENCODING = ["bytes32", "bytes32", "bytes32", "bytes", "uint256"];

// ---------- x402 facilitator ----------
const chain = defineChain({
  id: CHAIN_ID, name: "verinfer devnet", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: [RPC_URL] } }, contracts: { multicall3: { address: MULTICALL3 } },
});
const account = privateKeyToAccount(roleAccount("x402Facilitator").privateKey);
const client = createWalletClient({ account, chain, transport: http(RPC_URL), pollingInterval: 50 }).extend(publicActions);
const evmSigner = toFacilitatorEvmSigner({
  address: account.address,
  readContract: (a) => client.readContract(a),
  verifyTypedData: (a) => client.verifyTypedData(a),
  writeContract: (a) => client.writeContract(a),
  sendTransaction: (a) => client.sendTransaction(a),
  waitForTransactionReceipt: (a) => client.waitForTransactionReceipt({ pollingInterval: 50, ...a }),
  getCode: (a) => client.getCode(a),
}, { confirmationTimeoutMs: 20000 });
const x402 = new x402Facilitator();
registerExactEvmScheme(x402, { signer: evmSigner, networks: NETWORK });

// ---------- blobs (Walrus stand-in): content-addressed, id = base64url(sha256(bytes)) ----------
const blobs = new Map();
function putBlob(obj) {
  const bytes = Buffer.from(JSON.stringify(obj));
  const id = crypto.createHash("sha256").update(bytes).digest("base64url");
  blobs.set(id, bytes);
  return id;
}

// ---------- settlement ----------
await waitForDeployment();
const prov = provider();
const relay = contractAt("SettlementRelay", signerFor("settler", prov));
const jobs = new Map();      // jobId -> job
let pending = [];            // jobs waiting for the next batch
let idleTimer = null;
const batches = [];
let chainQueue = Promise.resolve();  // serialise our transactions
const serial = (fn) => { const p = chainQueue.then(fn, fn); chainQueue = p.catch(() => {}); return p; };

const b32 = (h, what) => {
  const s = String(h || "").replace(/^0x/, "");
  if (!/^[0-9a-fA-F]{64}$/.test(s)) throw Object.assign(new Error(`${what} must be 32 bytes of hex`), { status: 400 });
  return "0x" + s.toLowerCase();
};
function sigBytes(sig) {
  if (typeof sig !== "string" || !sig) throw Object.assign(new Error("signature required"), { status: 400 });
  return /^0x[0-9a-fA-F]*$/.test(sig) ? sig : hexlify(Buffer.from(sig, "base64"));
}

async function flush(reason) {
  clearTimeout(idleTimer); idleTimer = null;
  if (pending.length === 0) return null;
  const items = pending; pending = [];
  const values = items.map((j) => [j.teeId, j.inputHash, j.outputHash, j.signature, BigInt(j.timestamp)]);
  const tree = StandardMerkleTree.of(values, LEAF_ENCODING);
  const dump = tree.dump();
  const dumpJson = JSON.parse(JSON.stringify(dump, (_, v) => (typeof v === "bigint" ? v.toString() : v)));
  const blobId = putBlob(dumpJson);
  const batch = { batchId: batches.length + 1, merkleRoot: tree.root, batchSize: items.length, blobId, reason, status: "posting", jobIds: items.map((j) => j.jobId) };
  batches.push(batch);
  try {
    const receipt = await serial(async () => (await relay.settleBatch(tree.root, items.length, toUtf8Bytes(blobId))).wait());
    batch.txHash = receipt.hash; batch.blockNumber = receipt.blockNumber; batch.status = "settled";
  } catch (e) {
    batch.status = "failed"; batch.error = e.shortMessage || e.message;
    log(`batch ${batch.batchId} failed: ${batch.error}`);
  }
  items.forEach((j, k) => {
    Object.assign(j, { status: batch.status, batchId: batch.batchId, merkleRoot: batch.merkleRoot, blobId, txHash: batch.txHash, leafIndex: k });
    j.proof = tree.getProof(k);
  });
  log(`batch ${batch.batchId}: ${items.length} item(s), root ${tree.root}, blob ${blobId}, tx ${batch.txHash} (${reason})`);
  return batch;
}

async function settle(body) {
  const type = String(body.type || "").toLowerCase();
  const job = {
    jobId: crypto.randomUUID(), type,
    teeId: b32(body.teeId, "teeId"), inputHash: b32(body.inputHash, "inputHash"), outputHash: b32(body.outputHash, "outputHash"),
    signature: sigBytes(body.signature), timestamp: String(BigInt(body.timestamp)),
    ethAddress: getAddress(body.ethAddress || "0x0000000000000000000000000000000000000000"),
    status: "queued", createdAt: Date.now(),
  };
  if (type === "individual") {
    const blobId = putBlob({ format: "verinfer-devnet-individual-v1", teeId: job.teeId, ethAddress: job.ethAddress, inputHash: job.inputHash, outputHash: job.outputHash, signature: job.signature, timestamp: job.timestamp });
    const receipt = await serial(async () => (await relay.settleIndividual(job.teeId, job.ethAddress, job.inputHash, job.outputHash, job.timestamp, toUtf8Bytes(blobId), job.signature)).wait());
    Object.assign(job, { status: "settled", blobId, txHash: receipt.hash, blockNumber: receipt.blockNumber });
    jobs.set(job.jobId, job);
    return job;
  }
  if (type === "batch") {
    jobs.set(job.jobId, job);
    pending.push(job);
    if (pending.length >= SETTINGS.batchSize) { await flush("size"); return job; }
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => flush("idle").catch((e) => log("flush error", e.message)), SETTINGS.batchIdleMs);
    return job;
  }
  throw Object.assign(new Error(`type must be individual or batch, got ${JSON.stringify(body.type)}`), { status: 400 });
}

// ---------- HTTP ----------
const app = express();
app.use(express.json({ limit: "2mb" }));
const wrap = (fn) => (req, res) => Promise.resolve(fn(req, res)).catch((e) => {
  log("error", req.method, req.path, e.shortMessage || e.message);
  res.status(e.status || 500).json({ error: e.shortMessage || e.message });
});
const jsonSafe = (o) => JSON.parse(JSON.stringify(o, (_, v) => (typeof v === "bigint" ? v.toString() : v)));

app.get("/supported", wrap(async (req, res) => res.json(jsonSafe(x402.getSupported()))));
app.post("/verify", wrap(async (req, res) => {
  const r = await x402.verify(req.body.paymentPayload, req.body.paymentRequirements);
  if (!r.isValid) log("verify: invalid", r.invalidReason, r.invalidMessage || "");
  res.json(jsonSafe(r));
}));
let x402Queue = Promise.resolve();  // one signer: settle payments one at a time (no nonce races)
app.post("/settle", wrap(async (req, res) => {
  const run = () => x402.settle(req.body.paymentPayload, req.body.paymentRequirements);
  const p = x402Queue.then(run, run);
  x402Queue = p.catch(() => {});
  const r = await p;
  log(`x402 settle: success=${r.success} tx=${r.transaction || "-"} ${r.errorReason || ""}`);
  res.json(jsonSafe(r));
}));
app.get("/health", (req, res) => res.json({ status: "ok", pendingBatchItems: pending.length, batches: batches.length }));
app.post("/v1/settlements", wrap(async (req, res) => res.json(await settle(req.body))));
app.get("/v1/settlements/:jobId", wrap(async (req, res) => {
  const j = jobs.get(req.params.jobId);
  if (!j) return res.status(404).json({ error: "unknown job" });
  res.json(j);
}));
app.get("/v1/batches", (req, res) => res.json({ pending: pending.length, batches }));
app.post("/admin/flush", wrap(async (req, res) => {
  const b = await flush("forced");
  res.json(b ? b : { flushed: false, message: "no pending items" });
}));

const blobApp = express();
const getBlob = (req, res) => {
  const b = blobs.get(req.params.id);
  if (!b) return res.status(404).json({ error: "blob not found" });
  res.type("application/json").send(b);
};
blobApp.get("/blobs/:id", getBlob);
blobApp.get("/v1/blobs/:id", getBlob);
blobApp.get("/health", (req, res) => res.json({ status: "ok", blobs: blobs.size }));

await prov.getBlockNumber();
const blobServer = blobApp.listen(PORTS.blob, HOST);
const server = app.listen(PORTS.facilitator, HOST, () => log(`listening on ${HOST}:${PORTS.facilitator} (blobs on ${PORTS.blob}); x402 signer ${account.address}`));
const shutdown = () => { server.close(); blobServer.close(); process.exit(0); };
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
