// Devnet smoke test (npm test): expects a running devnet (./start.sh), starts nothing itself.
// Paid chat calls through @x402/fetch, TEE signature/hash checks, attestation (COSE + chain), registry,
// x402 settlement receipt, individual and batch settlement (Merkle proof against the on-chain root),
// misbehaviour modes, on-chain ML inference.
import crypto from "node:crypto";
import { wrapFetchWithPayment, x402Client, decodePaymentResponseHeader } from "@x402/fetch";
import { ExactEvmScheme } from "@x402/evm";
import { privateKeyToAccount } from "viem/accounts";
import { JsonRpcProvider, Contract, Interface, keccak256, toUtf8String, getBytes } from "ethers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { loadProfile, parseSse, verifyTeeResponse, verifyAttestation, extract } from "./lib.mjs";
import { loadArtifacts } from "../src/chain.mjs";
import { spkiDer } from "../src/tee.mjs";

const P = loadProfile();
const A = loadArtifacts();
const prov = new JsonRpcProvider(P.chain.rpcUrl, P.chain.chainId, { staticNetwork: true, pollingInterval: 100 });
const registry = new Contract(P.contracts.teeRegistry, A.TEERegistry.abi, prov);
const relayIface = new Interface(A.SettlementRelay.abi);
const tokenIface = new Interface(A.DevUSDC.abi);
let passed = 0, failed = 0;
async function step(name, fn) {
  const t = Date.now();
  try { await fn(); passed++; console.log(`ok   ${name} (${Date.now() - t} ms)`); }
  catch (e) { failed++; console.log(`FAIL ${name}: ${e.stack || e.message}`); }
}
const assert = (c, m) => { if (!c) throw new Error(m); };

const client = new x402Client().register(P.chain.network, new ExactEvmScheme(privateKeyToAccount(P.testPayer.privateKey)));
client.setSpendControls({ allowedAssets: [{ network: P.chain.network, asset: P.token.address, maxAmountPerPayment: String(BigInt(P.x402.amount) * 10n) }] });
const payFetch = wrapFetchWithPayment(fetch, client);
const GW = P.urls.gateway;
const signingKey = await (await fetch(`${GW}/signing-key`)).json();

async function call(path, bodyObj, settlement = "private", { paid = true } = {}) {
  const requestText = typeof bodyObj === "string" ? bodyObj : JSON.stringify(bodyObj);
  const r = await (paid ? payFetch : fetch)(`${GW}${path}`, {
    method: "POST", headers: { "content-type": "application/json", "X-SETTLEMENT-TYPE": settlement }, body: requestText,
  });
  const text = await r.text();
  const isSse = (r.headers.get("content-type") || "").includes("text/event-stream");
  return { r, requestText, text, body: r.status === 200 ? (isSse ? parseSse(text) : JSON.parse(text)) : null };
}
const admin = (m) => fetch(`${GW}/admin/misbehave`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ mode: m }) }).then((r) => r.json());

await admin("none");

await step("unpaid call gets 402 with a PAYMENT-REQUIRED for dUSDC on eip155:31337", async () => {
  const { r } = await call("/v1/chat/completions", { model: "gpt-4.1", messages: [{ role: "user", content: "hi" }] }, "private", { paid: false });
  assert(r.status === 402, `status ${r.status}`);
  const req = JSON.parse(Buffer.from(r.headers.get("payment-required"), "base64").toString());
  assert(req.x402Version === 2 && req.accepts[0].asset === P.token.address && req.accepts[0].amount === P.x402.amount, JSON.stringify(req));
});

await step("registry lists the gateway's key, TLS certificate and approved PCR hash", async () => {
  const t = await registry.getTEE(P.tee.teeId);
  assert(keccak256(t.publicKey) === P.tee.teeId, "publicKey does not hash to tee_id");
  assert(Buffer.from(getBytes(t.publicKey)).equals(spkiDer(signingKey.public_key)), "registry key != /signing-key");
  assert(crypto.createHash("sha256").update(getBytes(t.tlsCertificate)).digest("hex") === P.tee.tlsCertificateSha256, "TLS cert mismatch");
  assert(t.pcrHash === P.attestation.pcrHash && t.enabled, "pcr/enabled");
  assert(await registry.isTEEActive(P.tee.teeId), "not active");
  const list = await registry.getActiveTEEs(0);
  assert(list.some((x) => keccak256(x.publicKey) === P.tee.teeId), "not in getActiveTEEs(0)");
});

let individual;
await step("paid chat (buffered, individual settlement): signature, hashes, x402 receipt, IndividualSettlement", async () => {
  const body = { model: "gpt-4.1", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Bonjour, café ☕ 😀!" }], temperature: 1, max_tokens: 64 };
  const c = await call("/v1/chat/completions", body, "individual");
  assert(c.r.status === 200, `status ${c.r.status}: ${c.text}`);
  const v = verifyTeeResponse({ requestText: c.requestText, response: c.body, publicKeyPem: signingKey.public_key, expectedTeeId: P.tee.teeId });
  assert(c.r.headers.get("x-tee-signature") === v.tee_signature, "X-TEE-Signature header");
  // x402 settlement receipt on chain: AuthorizationUsed + Transfer payer -> payTo
  const pr = decodePaymentResponseHeader(c.r.headers.get("payment-response"));
  assert(pr.success && pr.network === P.chain.network, JSON.stringify(pr));
  const rc = await prov.getTransactionReceipt(pr.transaction);
  const logs = rc.logs.filter((l) => l.address === P.token.address).map((l) => tokenIface.parseLog(l));
  const tr = logs.find((l) => l.name === "Transfer");
  assert(logs.some((l) => l.name === "AuthorizationUsed") && tr && tr.args.from === P.testPayer.address && tr.args.to === P.x402.payTo && tr.args.value === BigInt(P.x402.amount), "payment logs");
  // proof settlement
  assert(c.r.headers.get("x-settlement-type") === "individual", "X-Settlement-Type");
  const srx = await prov.getTransactionReceipt(c.r.headers.get("x-settlement-tx-hash"));
  const ev = srx.logs.map((l) => relayIface.parseLog(l)).find((e) => e && e.name === "IndividualSettlement");
  assert(ev && ev.args.teeId === P.tee.teeId && ev.args.inputHash === "0x" + v.tee_request_hash && ev.args.outputHash === "0x" + v.tee_output_hash, "IndividualSettlement fields");
  assert(Buffer.from(getBytes(ev.args.signature)).toString("base64") === v.tee_signature && ev.args.timestamp === BigInt(v.tee_timestamp), "sig/timestamp");
  const blobId = toUtf8String(ev.args.walrusBlobId);
  assert(blobId === c.r.headers.get("x-settlement-walrus-blob-id"), "blob id");
  const blob = await (await fetch(`${P.urls.blobs}/blobs/${blobId}`)).json();
  assert(blob.outputHash === "0x" + v.tee_output_hash, "blob content");
  individual = v;
});

await step("paid chat over SSE (batch settlement) + tool call + forced flush: Merkle proof against BatchSettlement root", async () => {
  const s = await call("/v1/chat/completions", { model: "gpt-4.1", messages: [{ role: "user", content: "Count one, two, three" }], temperature: 0.7, stream: true }, "batch");
  assert(s.r.status === 200 && s.body.at(-1) === "[DONE]", `status ${s.r.status}`);
  const vs = verifyTeeResponse({ requestText: s.requestText, response: s.body, publicKeyPem: signingKey.public_key });
  assert(vs.output.startsWith("Devnet echo:"), vs.output);
  const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } }];
  const t = await call("/v1/chat/completions", { model: "gpt-4.1", messages: [{ role: "user", content: "What's the weather in Paris?" }], tools, tool_choice: "auto" }, "batch");
  const vt = verifyTeeResponse({ requestText: t.requestText, response: t.body, publicKeyPem: signingKey.public_key });
  assert(t.body.choices[0].finish_reason === "tool_calls" && JSON.parse(t.body.choices[0].message.tool_calls[0].function.arguments).city === "Paris", "tool call");
  const jobs = [s.r.headers.get("x-settlement-job-id"), t.r.headers.get("x-settlement-job-id")];
  const fl = await (await fetch(`${P.urls.facilitator}/admin/flush`, { method: "POST" })).json();
  for (const [k, v] of [[jobs[0], vs], [jobs[1], vt]]) {
    const job = await (await fetch(`${P.urls.facilitator}/v1/settlements/${k}`)).json();
    assert(job.status === "settled" && job.txHash, `job ${JSON.stringify(job)}`);
    const rc = await prov.getTransactionReceipt(job.txHash);
    const ev = rc.logs.map((l) => relayIface.parseLog(l)).find((e) => e && e.name === "BatchSettlement");
    const dump = await (await fetch(`${P.urls.blobs}/blobs/${toUtf8String(ev.args.walrusBlobId)}`)).json();
    assert(dump.format === "standard-v1", "dump format");
    const tree = StandardMerkleTree.load(dump);
    assert(tree.root === ev.args.merkleRoot && ev.args.batchSize === BigInt(dump.values.length), "root/size");
    const leaf = [v.tee_id, "0x" + v.tee_request_hash, "0x" + v.tee_output_hash, "0x" + Buffer.from(v.tee_signature, "base64").toString("hex"), BigInt(v.tee_timestamp)];
    assert(StandardMerkleTree.verify(ev.args.merkleRoot, dump.leafEncoding, leaf, tree.getProof(job.leafIndex)), "leaf proof");
  }
  assert(fl.batchSize >= 2 || fl.flushed === false, "flush");
});

await step("completion (/v1/completions, private) verifies; choices[0].text", async () => {
  const c = await call("/v1/completions", '{"model": "gpt-4.1", "prompt": "Once upon a time", "max_tokens": 32, "temperature": 0.5, "stop": ["\\n"]}');
  const v = verifyTeeResponse({ requestText: c.requestText, endpoint: "completion", response: c.body, publicKeyPem: signingKey.public_key });
  assert(typeof c.body.choices[0].text === "string" && c.r.headers.get("x-settlement-type") === "private" && !c.r.headers.get("x-settlement-tx-hash"), "private");
  assert(v.output.length > 0 && c.body.object === "text_completion", "completion shape");
});

await step("streamed completion: text_completion pieces, signed last event over the joined text; stream_truncated drops it", async () => {
  const body = { model: "gpt-4.1", prompt: "Once upon a time", max_tokens: 32, stream: true };
  const s = await call("/v1/completions", body);
  assert(s.r.status === 200 && s.body.at(-1) === "[DONE]" && s.body.length > 3, `status ${s.r.status}`);
  assert(s.body.slice(0, -1).every((e) => e.object === "text_completion"), "chunk shape");
  const v = verifyTeeResponse({ requestText: s.requestText, endpoint: "completion", response: s.body, publicKeyPem: signingKey.public_key });
  assert(v.output === " ... and the devnet said: done.", v.output);
  await admin("stream_truncated");
  try {
    const t = await call("/v1/completions", body);
    assert(t.body.length > 0 && !t.body.includes("[DONE]") && !t.body.some((e) => e.tee_signature), "truncated");
  } finally { await admin("none"); }
});

await step("attestation: COSE ES384, chain to the devnet root, nonce, user_data binds TLS cert + signing key, PCRs", async () => {
  const nonce = crypto.randomBytes(20).toString("hex");
  const b64 = await (await fetch(`${GW}/enclave/attestation?nonce=${nonce}`)).text();
  const a = verifyAttestation(b64, { rootPem: P.attestation.rootPemPath, rootSha256: P.attestation.rootSha256, nonceHex: nonce, expectedPcrHash: P.attestation.pcrHash });
  const ud = Buffer.from(a.payload.get("user_data"));
  const tee = await registry.getTEE(P.tee.teeId);
  const h = (b) => crypto.createHash("sha256").update(b).digest();
  assert(ud.length === 68 && ud.subarray(0, 2).toString("hex") === "1220" && ud.subarray(2, 34).equals(h(getBytes(tee.tlsCertificate))), "user_data TLS");
  assert(ud.subarray(34, 36).toString("hex") === "1220" && ud.subarray(36).equals(h(getBytes(tee.publicKey))), "user_data key");
});

await step("on-chain ML inference: run() emits InferenceResult from the built-in linear model", async () => {
  const { Wallet, NonceManager } = await import("ethers");
  const w = new NonceManager(new Wallet(P.testPayer.privateKey, prov));
  const hub = new Contract(P.contracts.inference, A.InferenceHub.abi, w);
  // x = [1.5, 2, -0.25] (fixed point): y = 1*1.5 + 2*2 + 3*(-0.25) + 0.5 = 5.25 -> (525, 2)
  const input = [[["x", [[15n, 1n], [2n, 0n], [-25n, 2n]], [3]]], [["tag", ["hello", "Devnet"]]]];
  const rc = await (await hub.run("devnet/linear-v1", 0, input)).wait();
  const ev = rc.logs.map((l) => hub.interface.parseLog(l)).find((e) => e && e.name === "InferenceResult");
  const out = ev.args.output;  // (note: `.values` is Array.prototype.values on ethers Results, so index the tuples)
  const [name, values] = out.numbers[0];
  assert(name === "y" && values[0][0] === 525n && values[0][1] === 2n, `y = ${values[0]}`);
  assert(out.strings[0][1].join(",") === "HELLO,DEVNET" && out.jsons[0][1] === "devnet/linear-v1" && out.is_simulation_result === false, "strings/jsons");
});

await step("8 concurrent paid calls (mixed settlement types) all succeed", async () => {
  const rs = await Promise.all(Array.from({ length: 8 }, (_, i) =>
    call("/v1/chat/completions", { model: "gpt-4.1", messages: [{ role: "user", content: `parallel ${i}` }] }, ["private", "batch", "individual"][i % 3])));
  for (const c of rs) {
    assert(c.r.status === 200, `status ${c.r.status}: ${c.text.slice(0, 200)}`);
    verifyTeeResponse({ requestText: c.requestText, response: c.body, publicKeyPem: signingKey.public_key });
  }
});

// ---- misbehaviour: each named failure must be caught by the matching check ----
const expectThrow = async (fn, re) => { try { await fn(); } catch (e) { if (re.test(e.message)) return; throw new Error(`wrong failure: ${e.message}`); } throw new Error("misbehaviour not detected"); };
const simpleChat = (settle = "private") => call("/v1/chat/completions", { model: "gpt-4.1", messages: [{ role: "user", content: "ping" }] }, settle);
const attest = async () => { const n = crypto.randomBytes(20).toString("hex"); return [n, await (await fetch(`${GW}/enclave/attestation?nonce=${n}`)).text()]; };
const attOpts = (n) => ({ rootPem: P.attestation.rootPemPath, rootSha256: P.attestation.rootSha256, nonceHex: n, expectedPcrHash: P.attestation.pcrHash });
const misbehaviour = {
  bad_signature: async () => { const c = await simpleChat(); await expectThrow(() => verifyTeeResponse({ requestText: c.requestText, response: c.body, publicKeyPem: signingKey.public_key }), /signature_invalid/); },
  wrong_tee_id: async () => { const c = await simpleChat(); await expectThrow(() => verifyTeeResponse({ requestText: c.requestText, response: c.body, publicKeyPem: signingKey.public_key }), /tee_id_mismatch/); },
  stale_attestation: async () => { const [n, b] = await attest(); await expectThrow(() => verifyAttestation(b, attOpts(n)), /too old/); },
  wrong_nonce_attestation: async () => { const [n, b] = await attest(); await expectThrow(() => verifyAttestation(b, attOpts(n)), /nonce mismatch/); },
  pcr_not_approved: async () => { const [n, b] = await attest(); await expectThrow(() => verifyAttestation(b, attOpts(n)), /pcr_hash/); },
  unregistered_tee: async () => {
    const c = await simpleChat();
    const key = (await (await fetch(`${GW}/signing-key`)).json()).public_key;
    const v = verifyTeeResponse({ requestText: c.requestText, response: c.body, publicKeyPem: key });  // self-consistent...
    assert(!(await registry.isTEEActive(v.tee_id)) && (await registry.getTEE(v.tee_id)).registeredAt === 0n, "...but must not be in the registry");
  },
  settlement_never_posted: async () => {
    const c = await simpleChat("individual");
    assert((await prov.getTransactionReceipt(c.r.headers.get("x-settlement-tx-hash"))) === null, "claimed tx exists on chain");
  },
  merkle_leaf_altered: async () => {
    const c = await simpleChat("individual");
    const v = verifyTeeResponse({ requestText: c.requestText, response: c.body, publicKeyPem: signingKey.public_key });
    const rc = await prov.getTransactionReceipt(c.r.headers.get("x-settlement-tx-hash"));
    const ev = rc.logs.map((l) => relayIface.parseLog(l)).find((e) => e && e.name === "IndividualSettlement");
    assert(ev.args.outputHash !== "0x" + v.tee_output_hash, "settled output hash should differ from the response");
  },
  payment_overcharge: async () => {
    const r = await fetch(`${GW}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    const req = JSON.parse(Buffer.from(r.headers.get("payment-required"), "base64").toString());
    assert(BigInt(req.accepts[0].amount) > BigInt(P.x402.amount), "amount not above the advertised price");
    await expectThrow(() => simpleChat(), /.+/);  // the client's spend cap refuses to pay
  },
};
for (const [m, fn] of Object.entries(misbehaviour)) {
  await step(`misbehave ${m} is detected`, async () => {
    const r = await admin(m);
    assert(r.mode === m, JSON.stringify(r));
    try { await fn(); } finally { await admin("none"); }
  });
}
await step("after misbehave none, responses verify again", async () => {
  const c = await simpleChat();
  verifyTeeResponse({ requestText: c.requestText, response: c.body, publicKeyPem: signingKey.public_key, expectedTeeId: P.tee.teeId });
});

console.log(`${failed ? "FAILED" : "ok"}: smoke ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
