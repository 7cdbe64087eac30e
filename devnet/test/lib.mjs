// Client-side checks used by the devnet tests: TEE response verification, SSE parsing, Nitro-format attestation.
import fs from "node:fs";
import crypto from "node:crypto";
import { decode } from "cborg";
import { keccak256, concat } from "ethers";
import { parse, toPlain } from "../src/pyjson.mjs";
import {
  canonicalChatRequest, canonicalCompletionRequest, requestHash, outputHash, msgHash, verifyMsgHash, teeIdOf, toolCallsOutputText,
} from "../src/tee.mjs";
import { runPath } from "../src/config.mjs";

export function loadProfile() {
  const p = runPath("profile.json");
  if (!fs.existsSync(p)) { console.error(`no ${p}: start the devnet first (./start.sh)`); process.exit(2); }
  return JSON.parse(fs.readFileSync(p, "utf8"));
}

export function parseSse(text) {
  const events = [];
  for (const block of text.split("\n\n")) {
    const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trimStart()).join("\n");
    if (!data) continue;
    if (data === "[DONE]") { events.push("[DONE]"); break; }
    events.push(JSON.parse(data));
  }
  return events;
}

/** Returns {fields, output} from a buffered chat/completion response or an SSE event list. */
export function extract(resp) {
  if (Array.isArray(resp)) {
    let output = "", last = null, toolCalls = null;
    for (const ev of resp) {
      if (ev === "[DONE]") break;
      const d = ev.choices?.[0]?.delta || {};
      if (typeof d.content === "string") output += d.content;
      if (typeof ev.choices?.[0]?.text === "string") output += ev.choices[0].text;  // a completion stream
      if (Array.isArray(d.tool_calls)) toolCalls = d.tool_calls.map(({ index, ...t }) => t);
      if (ev.tee_signature) last = ev;
    }
    if (toolCalls && last?.choices?.[0]?.finish_reason === "tool_calls") output = toolCallsOutputText(parse(JSON.stringify(toolCalls)));
    return { fields: last, output };
  }
  const ch = resp.choices?.[0] || {};
  if (ch.text !== undefined) return { fields: resp, output: ch.text };
  if (ch.finish_reason === "tool_calls") return { fields: resp, output: toolCallsOutputText(parse(JSON.stringify(ch.message.tool_calls))) };
  return { fields: resp, output: typeof ch.message?.content === "string" ? ch.message.content : "" };
}

/** Verifies a gateway response against the exact request body text sent and a pinned public key. Throws on failure. */
export function verifyTeeResponse({ requestText, endpoint = "chat", response, publicKeyPem, expectedTeeId }) {
  const { fields, output } = extract(response);
  if (!fields) throw new Error("malformed: no tee_* fields");
  const keyTeeId = teeIdOf(publicKeyPem);
  if (fields.tee_id.toLowerCase() !== keyTeeId.toLowerCase()) throw new Error(`tee_id_mismatch: ${fields.tee_id} vs key ${keyTeeId}`);
  if (expectedTeeId && fields.tee_id.toLowerCase() !== expectedTeeId.toLowerCase()) throw new Error(`tee_id_mismatch: expected ${expectedTeeId}`);
  const tree = parse(requestText);
  const canonical = endpoint === "completion" ? canonicalCompletionRequest(tree) : canonicalChatRequest(tree);
  const rh = requestHash(canonical);
  if (rh !== fields.tee_request_hash) throw new Error(`request_hash_mismatch: ${rh} vs ${fields.tee_request_hash}`);
  const oh = outputHash(output);
  if (oh !== fields.tee_output_hash) throw new Error(`output_hash_mismatch: ${oh} vs ${fields.tee_output_hash}`);
  if (!verifyMsgHash(publicKeyPem, msgHash(rh, oh, fields.tee_timestamp), fields.tee_signature)) throw new Error("signature_invalid");
  return { ...fields, output };
}

/** Verifies a base64 Nitro-format attestation document. Returns the decoded payload. Throws on failure. */
export function verifyAttestation(b64, { rootPem, rootSha256, nonceHex, at = Date.now(), maxAgeS = 300, maxFutureS = 60, expectedPcrHash }) {
  const cose = decode(Buffer.from(b64, "base64"), { useMaps: true, tags: { 18: (x) => x } });
  if (!Array.isArray(cose) || cose.length !== 4) throw new Error("not a COSE_Sign1 array");
  const [prot, , payloadBytes, sig] = cose;
  if (Buffer.from(prot).toString("hex") !== "a1013822") throw new Error("protected header is not {1: -35}");
  const p = decode(payloadBytes, { useMaps: true });
  const leaf = new crypto.X509Certificate(Buffer.from(p.get("certificate")));
  const { encode } = awaitEncode;
  const sigStructure = encode(["Signature1", prot, new Uint8Array(0), payloadBytes]);
  if (sig.length !== 96) throw new Error("signature is not 96 bytes");
  if (!crypto.verify("sha384", sigStructure, { key: leaf.publicKey, dsaEncoding: "ieee-p1363" }, sig)) throw new Error("COSE signature invalid");
  // chain: leaf -> cabundle (reversed) -> pinned root
  const bundle = p.get("cabundle").map((d) => new crypto.X509Certificate(Buffer.from(d)));
  const root = new crypto.X509Certificate(fs.readFileSync(rootPem));
  if (crypto.createHash("sha256").update(root.raw).digest("hex") !== rootSha256) throw new Error("pinned root fingerprint mismatch");
  if (!bundle[0].raw.equals(root.raw)) throw new Error("cabundle[0] is not the pinned root");
  const chain = [leaf, ...bundle.slice().reverse()];
  for (let i = 0; i < chain.length - 1; i++) {
    if (!chain[i].verify(chain[i + 1].publicKey)) throw new Error(`chain link ${i} signature invalid`);
    if (chain[i].issuer !== chain[i + 1].subject) throw new Error(`chain link ${i} issuer mismatch`);
  }
  for (const c of chain) if (at < Date.parse(c.validFrom) || at > Date.parse(c.validTo)) throw new Error(`certificate ${c.subject} not valid at ${new Date(at).toISOString()}`);
  const ts = Number(p.get("timestamp"));
  const ageS = Math.floor(at / 1000) - Math.floor(ts / 1000);
  if (ageS > maxAgeS) throw new Error(`attestation too old (${ageS} s)`);
  if (-ageS > maxFutureS) throw new Error(`attestation from the future (${-ageS} s)`);
  if (nonceHex && Buffer.from(p.get("nonce") || []).toString("hex") !== nonceHex.toLowerCase()) throw new Error("nonce mismatch");
  const pcrs = p.get("pcrs");
  const pcrHash = keccak256(concat([pcrs.get(0), pcrs.get(1), pcrs.get(2)]));
  if (expectedPcrHash && pcrHash !== expectedPcrHash) throw new Error(`pcr_hash ${pcrHash} is not the expected ${expectedPcrHash}`);
  return { payload: p, pcrHash, timestamp: ts };
}
const awaitEncode = await import("cborg");
