// OHTTP relay of the verinfer devnet (OpenGradient-shaped, PROTOCOL.md section 8), HTTP on RELAY port.
//   POST /api/v1/chat/ohttp  (Authorization: Bearer <account token>, X-TEE-ID: [0x]<64 hex>, message/ohttp-req body)
//     -> looks the TEE up in TEERegistry, forwards the opaque body to <endpoint>/v1/ohttp, pays the gateway's x402
//        itself (devnet account "relay"), streams the sealed answer back with X-Inference-Cost-OPG / -USD.
//   GET /health; GET /admin/traffic (tests only: the bytes the relay saw, to show it never sees a prompt)
// The relay only moves bytes: it holds no OHTTP key and never parses a body. Its log names sizes and statuses only.
import crypto from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import { Readable } from "node:stream";
import express from "express";
import { wrapFetchWithPayment, x402Client, decodePaymentResponseHeader } from "@x402/fetch";
import { ExactEvmScheme } from "@x402/evm";
import { privateKeyToAccount } from "viem/accounts";
import { HOST, PORTS, RELAY_URL, NETWORK, SETTINGS, runPath, writeJsonAtomic } from "./config.mjs";
import { roleAccount } from "./accounts.mjs";
import { provider, contractAt, waitForDeployment } from "./chain.mjs";
import { MAX_REQUEST } from "./ohttp.mjs";

const log = (...a) => console.log(new Date().toISOString(), "[relay]", ...a);
const deployment = await waitForDeployment();
const registry = contractAt("TEERegistry", provider());
const accountToken = `devnet-relay-${crypto.randomBytes(24).toString("hex")}`;  // the one account this relay serves
const tlsCa = fs.readFileSync(deployment.pki.tlsCertPem);                        // TEE endpoints use the devnet TLS cert

// fetch over node:https with the devnet CA (global fetch has no per-call CA); the body streams through.
async function tlsFetch(request) {
  const body = Buffer.from(await request.arrayBuffer());
  return new Promise((resolve, reject) => {
    const req = https.request(request.url, { method: request.method, headers: Object.fromEntries(request.headers), ca: tlsCa }, (r) => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(r.headers)) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
      const noBody = r.statusCode === 204 || r.statusCode === 304;
      resolve(new Response(noBody ? null : Readable.toWeb(r), { status: r.statusCode, headers }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const payer = roleAccount("relay");
const client = new x402Client().register(NETWORK, new ExactEvmScheme(privateKeyToAccount(payer.privateKey)));
client.setSpendControls({ allowedAssets: [{ network: NETWORK, asset: deployment.contracts.DevUSDC, maxAmountPerPayment: String(BigInt(SETTINGS.priceAmount) * 10n) }] });
const payFetch = wrapFetchWithPayment(tlsFetch, client);

const traffic = [];  // last exchanges as the relay saw them (base64), for tests
const remember = (entry) => { traffic.push(entry); if (traffic.length > 32) traffic.shift(); };

const app = express();
app.disable("x-powered-by");
app.use(express.raw({ type: () => true, limit: MAX_REQUEST }));
app.use((err, req, res, next) => {
  if (err && err.type === "entity.too.large") return res.status(413).json({ error: "encapsulated request too large" });
  next(err);
});

app.post("/api/v1/chat/ohttp", async (req, res) => {
  const t0 = Date.now();
  const auth = String(req.get("authorization") || "");
  const given = Buffer.from(auth.startsWith("Bearer ") ? auth.slice(7) : "");
  const want = Buffer.from(accountToken);
  if (given.length !== want.length || !crypto.timingSafeEqual(given, want)) return res.status(401).json({ error: "missing or unknown account token" });
  const teeIdRaw = String(req.get("x-tee-id") || "");
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(teeIdRaw)) return res.status(400).json({ error: "X-TEE-ID must be 32 bytes of hex (0x optional)" });
  const teeId = "0x" + teeIdRaw.replace(/^0x/, "").toLowerCase();
  if (!String(req.get("content-type") || "").startsWith("message/ohttp-req")) return res.status(415).json({ error: "Content-Type must be message/ohttp-req" });
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  let endpoint;
  try {
    if (!(await registry.isTEEActive(teeId))) return res.status(404).json({ error: `TEE ${teeId} is not active in the registry` });
    endpoint = (await registry.getTEE(teeId)).endpoint;
  } catch (e) {
    return res.status(502).json({ error: `registry lookup failed: ${e.shortMessage || e.message}` });
  }
  const headers = { "Content-Type": "message/ohttp-req", Accept: req.get("accept") || "message/ohttp-res" };
  for (const h of ["x-ohttp-stream", "x-settlement-type"]) if (req.get(h)) headers[h] = req.get(h);
  let upstream;
  try {
    upstream = await payFetch(`${endpoint}/v1/ohttp`, { method: "POST", headers, body });
  } catch (e) {
    log(`tee ${teeId} forward failed: ${e.message}`);
    return res.status(502).json({ error: `forwarding to the TEE failed: ${e.message}` });
  }
  // Cost: the gateway's headers when it sends them (single-shot), else what the relay's x402 payment settled.
  const cost = {};
  const paid = upstream.headers.get("payment-response");
  if (upstream.headers.get("x-inference-cost-opg")) {
    cost["X-Inference-Cost-OPG"] = upstream.headers.get("x-inference-cost-opg");
    cost["X-Inference-Cost-USD"] = upstream.headers.get("x-inference-cost-usd") || "";
  } else if (paid && upstream.status === 200) {
    const amount = SETTINGS.priceAmount;
    const settled = decodePaymentResponseHeader(paid);
    if (settled.success) {
      cost["X-Inference-Cost-OPG"] = amount;
      cost["X-Inference-Cost-USD"] = (Number(amount) / 10 ** deployment.token.decimals).toString();
    }
  }
  const out = { ...cost };
  for (const [k, v] of upstream.headers) if (k === "content-type" || k.startsWith("x-settlement-")) out[k] = v;
  res.status(upstream.status).set(out);
  const seen = [];
  if (upstream.body) {
    for await (const chunk of upstream.body) { seen.push(Buffer.from(chunk)); res.write(chunk); }
  }
  res.end();
  const response = Buffer.concat(seen);
  remember({ teeId, request: body.toString("base64"), response: response.toString("base64"), status: upstream.status });
  log(`tee ${teeId} ${body.length} B -> ${upstream.status} ${response.length} B${cost["X-Inference-Cost-OPG"] ? ` cost ${cost["X-Inference-Cost-OPG"]}` : ""} in ${Date.now() - t0} ms`);
});

app.get("/health", (req, res) => res.json({ status: "ok", payer: payer.address }));
app.get("/admin/traffic", (req, res) => res.json({ exchanges: traffic }));

const server = app.listen(PORTS.relay, HOST, () => {
  writeJsonAtomic(runPath("relay.json"), { url: RELAY_URL, accountToken, payerAddress: payer.address });
  log(`listening on ${RELAY_URL}; pays from ${payer.address}`);
});
const shutdown = () => { server.close(); process.exit(0); };
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
