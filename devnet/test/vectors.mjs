// Devnet self-test: the gateway's signing code must reproduce every case in
// /work/shared/vectors/tee_response (canonical request bytes, request/output hashes, msg hash),
// verify every stored signature, and reject every negative case with the documented reason.
// Run: node test/vectors.mjs [vectors_dir]   (env VERINFER_VECTORS also works)
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { parse, toPlain } from "../src/pyjson.mjs";
import {
  canonicalChatRequest, canonicalCompletionRequest, canonicalBytes, requestHash, outputHash, msgHash,
  verifyMsgHash, teeIdOf, toolCallsOutputText, signResponse,
} from "../src/tee.mjs";

const DIR = process.argv[2] || process.env.VERINFER_VECTORS || "/work/shared/vectors/tee_response";
const cases = JSON.parse(fs.readFileSync(path.join(DIR, "cases.json"), "utf8"));
const pubPem = fs.readFileSync(path.join(DIR, "keys/tee_public_key.pem"), "utf8");
const pinnedTeeId = teeIdOf(pubPem);
let failures = 0, checks = 0;
const check = (ok, what) => { checks++; if (!ok) { failures++; console.log(`FAIL ${what}`); } };

function canonicalFor(c) {
  const body = parse(fs.readFileSync(path.join(DIR, c.request_file), "utf8"));
  return c.endpoint === "/v1/completions" ? canonicalCompletionRequest(body) : canonicalChatRequest(body);
}

/** Extracts (fields, outputText) from a stored response (JSON or SSE transcript), as a client would. */
function readResponse(file) {
  const text = fs.readFileSync(file, "utf8");
  if (file.endsWith(".sse")) {
    let content = "", last = null;
    for (const block of text.split("\n\n")) {
      const line = block.trim();
      if (!line.startsWith("data:")) continue;
      const data = line.slice(5).trim();
      if (data === "[DONE]") break;
      const ev = JSON.parse(data);
      const d = ev.choices?.[0]?.delta;
      if (d && typeof d.content === "string") content += d.content;
      if (ev.tee_signature !== undefined || ev.choices?.[0]?.finish_reason) last = ev;
    }
    return { fields: last, output: content };
  }
  const r = toPlain(parse(text));
  const ch = r.choices?.[0] || {};
  let output;
  if (ch.text !== undefined) output = ch.text;
  else if (ch.finish_reason === "tool_calls" && Array.isArray(ch.message?.tool_calls)) output = toolCallsOutputText(parse(JSON.stringify(ch.message.tool_calls)));
  else output = typeof ch.message?.content === "string" ? ch.message.content : "";
  return { fields: r, output };
}

function verify(c, respFile) {
  const { fields, output } = readResponse(respFile);
  const need = ["tee_signature", "tee_request_hash", "tee_output_hash", "tee_timestamp", "tee_id"];
  if (!fields || need.some((k) => fields[k] === undefined)) return "malformed";
  if (fields.tee_id.toLowerCase() !== pinnedTeeId.toLowerCase()) return "tee_id_mismatch";
  const rh = requestHash(canonicalFor(c));
  if (rh !== fields.tee_request_hash.replace(/^0x/, "")) return "request_hash_mismatch";
  const oh = outputHash(output);
  if (oh !== fields.tee_output_hash.replace(/^0x/, "")) return "output_hash_mismatch";
  if (!verifyMsgHash(pubPem, msgHash(rh, oh, fields.tee_timestamp), fields.tee_signature)) return "signature_invalid";
  return "accept";
}

check(pinnedTeeId === cases.key?.tee_id || pinnedTeeId === cases.cases[0].tee_id, `tee_id of pinned key ${pinnedTeeId}`);
for (const c of cases.cases) {
  const canonical = canonicalFor(c);
  const text = canonicalBytes(canonical);
  const expectedText = fs.readFileSync(path.join(DIR, c.canonical_request_file), "utf8");
  check(text === expectedText, `${c.id}: canonical request\n  got      ${text}\n  expected ${expectedText}`);
  check(requestHash(canonical) === c.request_hash, `${c.id}: request hash`);
  const outText = fs.readFileSync(path.join(DIR, c.output_file), "utf8");
  check(outText === c.output_text && outputHash(outText) === c.output_hash, `${c.id}: output hash`);
  check(Buffer.from(msgHash(c.request_hash, c.output_hash, c.timestamp)).toString("hex") === c.msg_hash, `${c.id}: msg hash`);
  const outcome = verify(c, path.join(DIR, c.response_file));
  check(outcome === "accept", `${c.id}: stored response verifies (got ${outcome})`);
}
// Negative cases: every one must be rejected with the documented reason.
const byId = Object.fromEntries(cases.cases.map((c) => [c.id, c]));
for (const n of cases.negative_cases || []) {
  const base = n.request_file ? n : byId[n.base_case];
  const file = path.join(DIR, n.response_file || n.file);
  const outcome = verify(base, file);
  const expected = n.expected_reason || n.reason || n.expected;
  check(outcome !== "accept" && (!expected || outcome === expected), `negative ${n.id}: got ${outcome}, expected ${expected}`);
}
// Round trip with a fresh key: sign as the gateway does, verify as a client does.
const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const canon = canonicalFor(cases.cases[1]);
const f = signResponse({ privateKey, teeId: teeIdOf(publicKey), canonical: canon, outputText: "Paris.", timestamp: 1770919200 });
check(verifyMsgHash(publicKey, msgHash(f.tee_request_hash, f.tee_output_hash, f.tee_timestamp), f.tee_signature), "fresh-key round trip");
check(!verifyMsgHash(publicKey, msgHash(f.tee_request_hash, outputHash("Lyon."), f.tee_timestamp), f.tee_signature), "fresh-key tamper rejected");

console.log(`${failures ? "FAILED" : "ok"}: tee_response vectors, ${checks} checks, ${failures} failure(s) (${cases.cases.length} cases, ${(cases.negative_cases || []).length} negative)`);
process.exit(failures ? 1 : 0);
