// Reference TEE gateway of the verinfer devnet (OpenGradient-shaped), HTTP on GATEWAY port and HTTPS on GATEWAY_TLS port.
//   POST /v1/chat/completions, POST /v1/completions  (x402 v2 "exact" payment; X-SETTLEMENT-TYPE private|batch|individual)
//   GET /signing-key, GET /health, GET /v1/models, GET /enclave/attestation?nonce=<40 hex>
//   GET /v1/ohttp/config, POST /v1/ohttp  (private path: OHTTP-sealed chat/completion, x402-paid like the plain routes)
//   POST /admin/misbehave {"mode": ...}, GET /admin/misbehave   (test-only switch)
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import { promisify } from "node:util";
import express from "express";
import { paymentMiddleware, x402ResourceServer } from "@x402/express";
import { ExactEvmScheme } from "@x402/evm/exact/server";
import { HTTPFacilitatorClient } from "@x402/core/server";
import { keccak256, concat, getBytes } from "ethers";
import {
  HOST, PORTS, GATEWAY_URL, GATEWAY_TLS_URL, FACILITATOR_URL, NETWORK, SETTINGS, TEE_TYPE_LLM, runPath, writeJsonAtomic,
} from "./config.mjs";
import { roleAccount } from "./accounts.mjs";
import { provider, signerFor, contractAt, waitForDeployment } from "./chain.mjs";
import { parse, toPlain, JsonSyntaxError } from "./pyjson.mjs";
import {
  canonicalChatRequest, canonicalCompletionRequest, signResponse, signMsgHash, toolCallsOutputText, spkiDer, teeIdOf, RequestError,
} from "./tee.mjs";
import * as ohttp from "./ohttp.mjs";
import { Attester } from "./attestation.mjs";
import * as model from "./model.mjs";

const log = (...a) => console.log(new Date().toISOString(), "[gateway]", ...a);
const t0 = Date.now();
const genKey = promisify(crypto.generateKeyPair);
const rsa = () => genKey("rsa", { modulusLength: 2048, publicExponent: 65537 });
const keyPromise = rsa();                  // the enclave signing key, made fresh at every start
const ohttpKeyPromise = ohttp.generateKey();  // the enclave's X25519 OHTTP key (key id 1), also fresh
const deployment = await waitForDeployment();

// ---------- identity ----------
const tlsCertPem = fs.readFileSync(deployment.pki.tlsCertPem);
const tlsCertDer = Buffer.from(new crypto.X509Certificate(tlsCertPem).raw);
const operator = roleAccount("teeOperator");
const key = await keyPromise;
const identity = (k) => ({ privateKey: k.privateKey, publicKey: k.publicKey, spki: spkiDer(k.publicKey), teeId: teeIdOf(k.publicKey),
  publicKeyPem: k.publicKey.export({ type: "spki", format: "pem" }) });
const registered = identity(key);
let rogue = null;                          // an unregistered key for the unregistered_tee misbehaviour
rsa().then((k) => { rogue = identity(k); });
const pcrs = Object.fromEntries(Object.entries(deployment.pcrs).map(([k, v]) => [k, Buffer.from(getBytes(v))]));
const attester = new Attester(deployment.pki);

// ---------- misbehaviour switch (test only) ----------
export const MODES = ["none", "bad_signature", "wrong_tee_id", "stale_attestation", "wrong_nonce_attestation", "pcr_not_approved",
  "unregistered_tee", "settlement_never_posted", "merkle_leaf_altered", "payment_overcharge",
  "ohttp_tampered_response", "ohttp_dropped_final_chunk", "ohttp_forged_config", "drop_after_payment", "stream_truncated"];
let mode = "none";
const active = () => (mode === "unregistered_tee" && rogue ? rogue : registered);

// ---------- registry registration ----------
const prov = provider();
const registry = contractAt("TEERegistry", signerFor("teeOperator", prov));
const pcrHash = keccak256(concat([pcrs[0], pcrs[1], pcrs[2]]));
const regTx = await registry.registerTEE(registered.spki, tlsCertDer, pcrHash, GATEWAY_TLS_URL, operator.address, TEE_TYPE_LLM);

// The OHTTP key config, signed by the enclave key over OpenGradient's configHash and stored in the registry.
const ohttpKey = await ohttpKeyPromise;
const signedOhttpConfig = (key, signer) => {
  const hash = ohttp.configHash(signer.teeId, key);
  return { key, signer, hash, signature: signMsgHash(signer.privateKey, getBytes(hash)) };
};
const genuineOhttp = signedOhttpConfig(ohttpKey, registered);
let forgedOhttp = null;                    // ohttp_forged_config: another X25519 key, signed by the unregistered key
let servedOhttp = genuineOhttp;
const sendOhttpConfig = (c) => registry.setOHTTPConfig(registered.teeId, c.key.keyId, c.key.kemId, c.key.kdfId, c.key.aeadId,
  c.key.publicKey, c.key.keyConfig, Buffer.from(c.signature, "base64"),
  // A set revert with no revert data (no custom error) was seen now and then in
  // the test suite: out of gas on an estimate, we suspect. The call needs ~200k.
  { gasLimit: 1_000_000 });
async function mined(tx, what) {
  let r;
  try {
    r = await tx.wait();
  } catch (e) {
    r = e.receipt;  // ethers throws on a reverted receipt; keep it for the message below
    if (!r) throw e;
  }
  if (r.status !== 1) {
    // Evidence for the rare revert seen in the suite: out of gas shows as gas used == limit.
    throw new Error(`${what} failed: tx ${r.hash} (nonce ${tx.nonce}) reverted in block ${r.blockNumber}, ` +
                    `gas used ${r.gasUsed} of limit ${tx.gasLimit}`);
  }
  return r;
}
// anvil mines each transaction as it arrives: send both, then wait (saves a polling round at start).
const ohttpTx = await sendOhttpConfig(genuineOhttp);
const [regReceipt, ohttpReceipt] = await Promise.all([mined(regTx, "TEE registration"), mined(ohttpTx, "OHTTP config registration")]);
log(`registered TEE ${registered.teeId} (pcr_hash ${pcrHash}) in tx ${regReceipt.hash}`);
log(`registered OHTTP config (key id ${ohttpKey.keyId}, configHash ${genuineOhttp.hash}) in tx ${ohttpReceipt.hash}`);
let ohttpRequests = 0;                     // /v1/ohttp calls seen (tests: nothing sent to a rejected config)

const heartbeat = setInterval(() => registry.heartbeat(registered.teeId).catch((e) => log("heartbeat failed:", e.shortMessage || e.message)), 60_000);
heartbeat.unref();

// ---------- app ----------
const app = express();
app.disable("x-powered-by");
// Keep the raw body: numbers must keep their Python int/float-ness for the request hash.
app.use(express.raw({ type: () => true, limit: "8mb" }));
app.use((req, res, next) => {
  req.tree = undefined;
  if (req.path === "/v1/ohttp") return next();  // opaque message/ohttp-req bytes
  if (req.method === "POST" && Buffer.isBuffer(req.body) && req.body.length) {
    try {
      req.tree = parse(req.body.toString("utf8"));
      req.body = toPlain(req.tree);
    } catch (e) {
      if (e instanceof JsonSyntaxError) return res.status(400).json({ error: `invalid JSON: ${e.message}` });
      return next(e);
    }
  } else if (Buffer.isBuffer(req.body)) req.body = {};
  next();
});

// drop_after_payment: a paid request is served and its payment settled, then the connection is cut
// before the first byte of the answer (the x402 middleware flushes the answer only after settling).
app.use((req, res, next) => {
  if (mode === "drop_after_payment" && (req.get("payment-signature") || req.get("x-payment"))) {
    const socket = req.socket;
    socket.write = () => { socket.destroy(); return false; };
  }
  next();
});

// x402: the real @x402/express middleware, with the devnet facilitator.
const requirePayment = process.env.DEVNET_REQUIRE_PAYMENT !== "0";
async function waitForFacilitator(timeoutMs = 30000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try { if ((await fetch(`${FACILITATOR_URL}/supported`)).ok) return; } catch {}
    if (Date.now() > until) throw new Error(`facilitator ${FACILITATOR_URL} did not answer`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
if (requirePayment) {
  await waitForFacilitator();
  const resourceServer = new x402ResourceServer(new HTTPFacilitatorClient({ url: FACILITATOR_URL })).register(NETWORK, new ExactEvmScheme());
  const price = () => ({
    amount: mode === "payment_overcharge" ? (BigInt(SETTINGS.priceAmount) * 100n).toString() : SETTINGS.priceAmount,
    asset: deployment.contracts.DevUSDC,
    extra: { name: deployment.token.name, version: deployment.token.version },
  });
  const accepts = { scheme: "exact", network: NETWORK, payTo: operator.address, price, maxTimeoutSeconds: 300 };
  app.use(paymentMiddleware({
    "POST /v1/chat/completions": { accepts, description: "verinfer devnet chat completion", mimeType: "application/json" },
    "POST /v1/completions": { accepts, description: "verinfer devnet completion", mimeType: "application/json" },
    "POST /v1/ohttp": { accepts, description: "verinfer devnet private (OHTTP) call", mimeType: "message/ohttp-res" },
  }, resourceServer));
}

function settlementType(req) {
  const v = String(req.get("x-settlement-type") || req.get("x-settle") || "batch").toLowerCase();
  const alias = { "settle-batch": "batch", "settle-individual": "individual", "settle": "individual", "settle-metadata": "individual" };
  const t = alias[v] || v;
  if (!["private", "batch", "individual"].includes(t)) throw new RequestError(`X-SETTLEMENT-TYPE must be private, batch or individual, got ${v}`);
  return t;
}

/** Hands the proof to the settlement facilitator; returns the X-Settlement-* headers to send. */
async function settleProof(type, fields) {
  const headers = { "X-Settlement-Type": type };
  if (type === "private") return headers;
  if (mode === "settlement_never_posted") {
    // Claims a settlement that was never posted: a made-up tx hash and job id.
    headers["X-Settlement-Tx-Hash"] = "0x" + crypto.randomBytes(32).toString("hex");
    headers["X-Settlement-Job-ID"] = crypto.randomUUID();
    return headers;
  }
  let outputHash = fields.tee_output_hash;
  if (mode === "merkle_leaf_altered") {  // the settled leaf no longer matches the response
    const b = Buffer.from(outputHash, "hex"); b[0] ^= 0x01; outputHash = b.toString("hex");
  }
  const r = await fetch(`${FACILITATOR_URL}/v1/settlements`, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ type, teeId: fields.tee_id, ethAddress: operator.address, inputHash: fields.tee_request_hash,
      outputHash, signature: fields.tee_signature, timestamp: fields.tee_timestamp }),
  });
  const j = await r.json();
  if (!r.ok) throw new Error(`settlement facilitator: ${j.error || r.status}`);
  headers["X-Settlement-Job-ID"] = j.jobId;
  if (j.txHash) headers["X-Settlement-Tx-Hash"] = j.txHash;
  if (j.blobId) headers["X-Settlement-Walrus-Blob-ID"] = j.blobId;
  return headers;
}

function sign(canonical, outputText) {
  const id = active();
  const f = signResponse({ privateKey: id.privateKey, teeId: id.teeId, canonical, outputText, timestamp: Math.floor(Date.now() / 1000) });
  if (mode === "bad_signature") {
    const s = Buffer.from(f.tee_signature, "base64"); s[s.length - 1] ^= 0x01; f.tee_signature = s.toString("base64");
  }
  if (mode === "wrong_tee_id") f.tee_id = rogue ? rogue.teeId : keccak256(Buffer.from("not-this-tee"));
  return f;
}
const teeHeaders = (f) => ({
  "X-TEE-Signature": f.tee_signature, "X-TEE-ID": f.tee_id, "X-TEE-Timestamp": String(f.tee_timestamp),
  "X-TEE-Request-Hash": f.tee_request_hash, "X-TEE-Output-Hash": f.tee_output_hash,
});
const usage = (p, c) => ({ prompt_tokens: p, completion_tokens: c, total_tokens: p + c });
const handler = (fn) => (req, res) => Promise.resolve(fn(req, res)).catch((e) => {
  if (!(e instanceof RequestError)) log("error:", e.stack || e.message);
  if (res.headersSent) { res.end(); return; }
  res.status(e.status || 500).json({ error: e.message });
});

// A streamed answer goes out a word (with its leading space) at a time.
const pieces = (text) => text.match(/\s*\S+|\s+$/g) || [];
// SSE frames: the deltas, the final signed event, [DONE]. stream_truncated ends the stream after the
// deltas, as a connection lost mid-answer would.
function sseEvents(deltas, final) {
  const events = deltas.map((o) => `data: ${JSON.stringify(o)}\n\n`);
  if (mode === "stream_truncated") return events;
  return [...events, `data: ${JSON.stringify(final)}\n\n`, "data: [DONE]\n\n"];
}

// One call's answer, shared by the plain routes and /v1/ohttp: {headers, json} or, streamed, {headers, events} (SSE frames).
async function chatResult(tree, body, settle) {
  const canonical = canonicalChatRequest(tree);
  const id = `chatcmpl-${crypto.randomUUID()}`;
  const out = model.chat(body, { callId: `call_${crypto.randomBytes(6).toString("hex")}` });
  const outputText = out.toolCalls ? toolCallsOutputText(out.toolCalls) : out.content;
  const f = sign(canonical, outputText);
  const u = usage(out.promptTokens, model.words(outputText));
  const sh = await settleProof(settle, f);
  const created = f.tee_timestamp;
  if (body.stream === true) {
    const chunk = (choice) => ({ id, object: "chat.completion.chunk", created, model: body.model, choices: [{ ...choice, index: 0 }] });
    const deltas = out.toolCalls
      ? [chunk({ delta: { role: "assistant", content: "", tool_calls: out.toolCalls.map((t, index) => ({ index, ...t })) }, finish_reason: null })]
      : pieces(out.content).map((piece) => chunk({ delta: { content: piece, role: "assistant" }, finish_reason: null }));
    return { headers: sh, events: sseEvents(deltas, { ...chunk({ delta: {}, finish_reason: out.finish }), ...f, usage: u }) };
  }
  const message = { role: "assistant", content: out.content };
  if (out.toolCalls) message.tool_calls = out.toolCalls;
  return { headers: { ...teeHeaders(f), ...sh }, json: {
    id, object: "chat.completion", created, model: body.model,
    choices: [{ index: 0, message, finish_reason: out.finish }], usage: u, ...f,
  } };
}

async function completionResult(tree, body, settle) {
  const canonical = canonicalCompletionRequest(tree);
  const out = model.complete(body);
  const f = sign(canonical, out.text);
  const sh = await settleProof(settle, f);
  const u = usage(out.promptTokens, model.words(out.text));
  const id = `cmpl-${crypto.randomUUID()}`;
  const completion = (choice) => ({ id, object: "text_completion", created: f.tee_timestamp, model: body.model,
    choices: [{ index: 0, ...choice, logprobs: null }] });
  if (body.stream === true) {
    // OpenAI streams completions as text_completion objects of the buffered shape, a piece of
    // choices[0].text each (openai-python types/completion.py: "both the streamed and non-streamed
    // response objects share the same shape"); OpenGradient's gateway has no completion stream, so the
    // signing follows its chat stream: tee_* and usage on the last event, output hash of the joined text.
    const deltas = pieces(out.text).map((piece) => completion({ text: piece, finish_reason: null }));
    return { headers: sh, events: sseEvents(deltas, { ...completion({ text: "", finish_reason: out.finish }), ...f, usage: u }) };
  }
  return { headers: { ...teeHeaders(f), ...sh }, json: { ...completion({ text: out.text, finish_reason: out.finish }), usage: u, ...f } };
}

function send(res, r) {
  if (r.events) {
    res.status(200).set({ "Content-Type": "text/event-stream", "Cache-Control": "no-cache", ...r.headers });
    for (const e of r.events) res.write(e);
    res.end();
    return;
  }
  res.set(r.headers).json(r.json);
}

app.post("/v1/chat/completions", handler(async (req, res) => {
  if (!req.tree) throw new RequestError("missing JSON body");
  send(res, await chatResult(req.tree, req.body, settlementType(req)));
}));

app.post("/v1/completions", handler(async (req, res) => {
  if (!req.tree) throw new RequestError("missing JSON body");
  send(res, await completionResult(req.tree, req.body, settlementType(req)));
}));

// ---------- private path (PROTOCOL.md section 8) ----------
// The signed key config, in the JSON shape of OpenGradient's /v1/ohttp/config.
app.get("/v1/ohttp/config", (req, res) => {
  const c = servedOhttp;
  res.json({
    tee_id: registered.teeId, key_id: c.key.keyId, kem_id: c.key.kemId, kdf_id: c.key.kdfId, aead_id: c.key.aeadId,
    public_key: c.key.publicKey.toString("hex"), key_config: c.key.keyConfig.toString("base64"),
    signature: c.signature, signature_hash: c.hash,
  });
});

const flipByte = (b, at) => { const c = Buffer.from(b); c[at] ^= 0x01; return c; };
// Only billing and settlement metadata crosses the relay in clear: never the model, the prompt or token counts.
const outerHeaders = (h) => Object.fromEntries(Object.entries(h).filter(([k]) => /^x-settlement-/i.test(k)));
const costHeaders = () => ({
  "X-Inference-Cost-OPG": SETTINGS.priceAmount,
  "X-Inference-Cost-USD": (Number(SETTINGS.priceAmount) / 10 ** deployment.token.decimals).toString(),
});

app.post("/v1/ohttp", async (req, res) => {
  ohttpRequests++;
  const wire = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  let d;
  try {
    d = await ohttp.decapsulate(servedOhttp.key, wire);
  } catch (e) {
    return res.status(e.status || 400).json({ error: e.message });
  }
  const sealSingle = async (plaintext, headers = {}) => {
    let sealed = await ohttp.sealResponse(d, Buffer.from(plaintext));
    if (mode === "ohttp_tampered_response") sealed = flipByte(sealed, sealed.length - 20);
    res.status(200).set({ "Content-Type": ohttp.RESPONSE_MEDIA_TYPE, ...headers }).send(sealed);
  };
  // Inner errors travel sealed under an outer 200, as {"status", "body"}.
  const sealedError = (status, message) => sealSingle(JSON.stringify({ status, body: { error: message } }));
  let r;
  try {
    const tree = parse(d.plaintext.toString("utf8"));
    const body = toPlain(tree);
    if (body === null || typeof body !== "object" || Array.isArray(body)) return await sealedError(400, "inner payload must be a JSON object");
    const settle = settlementType(req);
    // OpenGradient's /v1/ohttp serves chat only; the devnet also takes a completion body ("prompt", no "messages").
    if (Array.isArray(body.messages)) r = await chatResult(tree, body, settle);
    else if (body.prompt !== undefined) r = await completionResult(tree, body, settle);
    else return await sealedError(400, "inner payload is neither a chat (messages) nor a completion (prompt)");
  } catch (e) {
    if (e instanceof JsonSyntaxError) return await sealedError(400, "inner payload is not valid JSON");
    if (e instanceof RequestError) return await sealedError(e.status, e.message);
    log("ohttp error:", e.stack || e.message);
    return await sealedError(500, "internal error");
  }
  if (r.json) return sealSingle(JSON.stringify(r.json), { ...outerHeaders(r.headers), ...costHeaders() });
  // Streamed: one sealed chunk per SSE event, the last event as the final chunk (AAD "final").
  const sealer = await ohttp.chunkedSealer(d);
  res.status(200).set({ "Content-Type": ohttp.CHUNKED_MEDIA_TYPE, "Cache-Control": "no-cache", ...outerHeaders(r.headers) });
  res.write(sealer.start());
  r.events.forEach((e, i) => {
    const last = i === r.events.length - 1;
    if (last && mode === "ohttp_dropped_final_chunk") return;
    let framed = last ? sealer.final(Buffer.from(e)) : sealer.chunk(Buffer.from(e));
    if (i === 0 && mode === "ohttp_tampered_response") framed = flipByte(framed, framed.length - 20);
    res.write(framed);
  });
  res.end();
});

app.get("/signing-key", (req, res) => {
  const id = active();
  res.json({
    public_key: id.publicKeyPem, tee_id: id.teeId, wallet_address: operator.address, timestamp: Math.floor(Date.now() / 1000),
    enclave_info: { platform: "verinfer-devnet (simulated AWS Nitro)", module_id: attester.moduleId, pcr_hash: pcrHash, tee_type: TEE_TYPE_LLM, endpoint: GATEWAY_TLS_URL },
  });
});

app.get("/enclave/attestation", (req, res) => {
  const nonceHex = String(req.query.nonce || "");
  if (!/^[0-9a-fA-F]{40}$/.test(nonceHex)) return res.status(400).json({ error: "nonce must be 40 hex characters (20 bytes)" });
  let nonce = Buffer.from(nonceHex, "hex");
  if (mode === "wrong_nonce_attestation") { nonce = Buffer.from(nonce); nonce[0] ^= 0xff; }
  let docPcrs = pcrs;
  if (mode === "pcr_not_approved") { docPcrs = { ...pcrs, 0: crypto.createHash("sha384").update("verinfer-devnet-unapproved-pcr0").digest() }; }
  const timestampMs = mode === "stale_attestation" ? Date.now() - 3600_000 : Date.now();
  const id = active();
  const doc = attester.document({
    pcrs: docPcrs, nonce, timestampMs, publicKey: id.spki, userData: Attester.userData(tlsCertDer, id.spki),
  });
  res.type("text/plain").send(doc.toString("base64"));
});

app.get("/v1/models", (req, res) => res.json({ object: "list", data: ["gpt-4.1", "gpt-5", "claude-haiku-4-5", "gemini-2.5-flash", "grok-4"].map((m) => ({ id: m, object: "model", owned_by: "verinfer-devnet" })) }));
app.get("/health", (req, res) => res.json({ status: "ok", tee_id: registered.teeId, payment_required: requirePayment, misbehave: mode }));

app.get("/admin/misbehave", (req, res) => res.json({ mode, modes: MODES, ohttpRequests }));
app.post("/admin/misbehave", handler(async (req, res) => {
  const m = req.body && req.body.mode;
  if (!MODES.includes(m)) return res.status(400).json({ error: `mode must be one of ${MODES.join(", ")}` });
  if ((m === "unregistered_tee" || m === "ohttp_forged_config") && !rogue) return res.status(503).json({ error: "second key not ready yet, retry" });
  // ohttp_forged_config: /v1/ohttp/config and the registry both hold a config the attested key never signed.
  const wanted = m === "ohttp_forged_config" ? (forgedOhttp ||= signedOhttpConfig(await ohttp.generateKey(), rogue)) : genuineOhttp;
  if (wanted !== servedOhttp) {
    await mined(await sendOhttpConfig(wanted), "OHTTP config registration");
    servedOhttp = wanted;
  }
  mode = m;
  log(`misbehave mode = ${mode}`);
  res.json({ mode });
}));

// ---------- listen ----------
const servers = [
  http.createServer(app).listen(PORTS.gateway, HOST),
  https.createServer({ cert: tlsCertPem, key: fs.readFileSync(deployment.pki.tlsKey) }, app).listen(PORTS.gatewayTls, HOST),
];
writeJsonAtomic(runPath("gateway.json"), {
  teeId: registered.teeId, publicKeyPem: registered.publicKeyPem, publicKeySpkiDerHex: registered.spki.toString("hex"), endpoint: GATEWAY_TLS_URL, httpUrl: GATEWAY_URL,
  walletAddress: operator.address, paymentAddress: operator.address, pcrHash, registrationTx: regReceipt.hash,
  ohttp: { keyId: ohttpKey.keyId, kemId: ohttpKey.kemId, kdfId: ohttpKey.kdfId, aeadId: ohttpKey.aeadId, publicKeyHex: ohttpKey.publicKey.toString("hex"),
    keyConfigHex: ohttpKey.keyConfig.toString("hex"), configHash: genuineOhttp.hash, signature: genuineOhttp.signature, registrationTx: ohttpReceipt.hash },
});
log(`listening on ${GATEWAY_URL} and ${GATEWAY_TLS_URL}; payment ${requirePayment ? "required" : "off"}; ready in ${Date.now() - t0} ms`);
const shutdown = () => { clearInterval(heartbeat); for (const s of servers) s.close(); process.exit(0); };
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
