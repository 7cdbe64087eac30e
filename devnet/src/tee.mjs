// OpenGradient TEE response signing (PROTOCOL.md section 2.1), on Python-compatible JSON (pyjson.mjs).
import crypto from "node:crypto";
import { keccak256, toUtf8Bytes, getBytes, concat, zeroPadValue, toBeHex } from "ethers";
import { JObj, JNum, pyFloat, dumps, truthy } from "./pyjson.mjs";

export class RequestError extends Error { constructor(m) { super(m); this.status = 400; } }

const get = (o, k) => (o instanceof JObj ? o.get(k) : undefined);
const isObj = (o) => o instanceof JObj;

/** Python's str(x) for the few scalar cases canonical_user_content can meet. */
function pyStr(v) {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "string") return v;
  return dumps(v);
}

function canonicalUserContent(content) {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return pyStr(content);
  return content.map((part) => {
    if (!isObj(part)) return new JObj([["type", "text"], ["text", pyStr(part)]]);
    if (get(part, "type") === "text") {
      const t = get(part, "text");
      return new JObj([["type", "text"], ["text", truthy(t) ? t : ""]]);
    }
    const entry = new JObj([["type", part.has("type") ? get(part, "type") : null]]);
    const file = get(part, "file");
    const fromFile = isObj(file) ? get(file, "filename") : undefined;
    const filename = truthy(fromFile) ? fromFile : get(part, "filename");
    if (truthy(filename)) entry.set("filename", filename);
    return entry;
  });
}

function orNull(o, k) { const v = get(o, k); return v === undefined ? null : v; }
function orDefault(o, k, d) { return isObj(o) && o.has(k) ? o.get(k) : d; }

function canonicalMessage(m) {
  if (!isObj(m)) throw new RequestError("each message must be a JSON object");
  const role = get(m, "role");
  if (role === "system" || role === "developer") return new JObj([["role", "system"], ["content", orNull(m, "content")]]);
  if (role === "user") return new JObj([["role", "user"], ["content", canonicalUserContent(orNull(m, "content"))]]);
  if (role === "assistant") {
    const c = get(m, "content");
    const out = new JObj([["role", "assistant"], ["content", truthy(c) ? c : ""]]);
    const tcs = get(m, "tool_calls");
    if (truthy(tcs)) {
      if (!Array.isArray(tcs)) throw new RequestError("tool_calls must be a list");
      out.set("tool_calls", tcs.map((tc) => {
        const fn = orDefault(tc, "function", new JObj());
        return new JObj([
          ["id", orDefault(tc, "id", "")],
          ["type", orDefault(tc, "type", "function")],
          ["function", new JObj([["name", orDefault(fn, "name", "")], ["arguments", orDefault(fn, "arguments", "")]])],
        ]);
      }));
    }
    return out;
  }
  if (role === "tool") return new JObj([["role", "tool"], ["content", orNull(m, "content")], ["tool_call_id", orNull(m, "tool_call_id")]]);
  if (role === "function") return new JObj([["role", "function"], ["content", orNull(m, "content")], ["name", orNull(m, "name")]]);
  throw new RequestError(`unknown message role: ${JSON.stringify(role)}`);
}

function pyFloatOf(t) {
  if (t === null || t === undefined) return pyFloat(0);
  if (t instanceof JNum) return pyFloat(t.floatValue);
  if (t === true || t === false) return pyFloat(t ? 1 : 0);
  if (typeof t === "string" && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(t)) return pyFloat(Number(t));
  throw new RequestError("temperature must be a number");
}

/** The dict the gateway hashes for /v1/chat/completions. opts.hashWebSearch: newer gateway + SDK (default true). */
export function canonicalChatRequest(body, { hashWebSearch = true } = {}) {
  if (!isObj(body)) throw new RequestError("request body must be a JSON object");
  const model = get(body, "model");
  if (typeof model !== "string" || !model) throw new RequestError("request is missing a 'model'");
  const messages = get(body, "messages");
  if (!Array.isArray(messages) || messages.length === 0) throw new RequestError("request is missing 'messages'");
  const c = new JObj([["model", model], ["messages", messages.map(canonicalMessage)], ["temperature", pyFloatOf(get(body, "temperature"))]]);
  const mt = get(body, "max_tokens");
  if (mt !== undefined && mt !== null) c.set("max_tokens", mt);
  if (truthy(get(body, "stop"))) c.set("stop", get(body, "stop"));
  if (truthy(get(body, "tools"))) {
    if (!Array.isArray(get(body, "tools"))) throw new RequestError("'tools' must be a list");
    c.set("tools", get(body, "tools"));
  }
  if (truthy(get(body, "response_format"))) c.set("response_format", get(body, "response_format"));
  if (hashWebSearch && truthy(get(body, "web_search"))) c.set("web_search", true);
  return c;
}

/** The dict the gateway hashes for /v1/completions. */
export function canonicalCompletionRequest(body) {
  if (!isObj(body)) throw new RequestError("request body must be a JSON object");
  const model = get(body, "model");
  if (typeof model !== "string" || !model) throw new RequestError("request is missing a 'model'");
  const prompt = get(body, "prompt");
  if (prompt === undefined) throw new RequestError("request is missing a 'prompt'");
  const c = new JObj([["model", model], ["prompt", prompt], ["temperature", pyFloatOf(get(body, "temperature"))]]);
  const mt = get(body, "max_tokens");
  if (mt !== undefined && mt !== null) c.set("max_tokens", mt);
  if (truthy(get(body, "stop"))) c.set("stop", get(body, "stop"));
  return c;
}

export const canonicalBytes = (canonical) => dumps(canonical, { sortKeys: true });
const strip0x = (h) => (h.startsWith("0x") ? h.slice(2) : h);
/** keccak256 of the canonical request text (ASCII), hex without 0x. */
export const requestHash = (canonical) => strip0x(keccak256(toUtf8Bytes(canonicalBytes(canonical))));
/** keccak256 of the UTF-8 output text, hex without 0x. */
export const outputHash = (text) => strip0x(keccak256(toUtf8Bytes(text)));
/** The output text of a tool-call answer: json.dumps(tool_calls, sort_keys=True). */
export const toolCallsOutputText = (toolCalls) => dumps(toolCalls, { sortKeys: true });

/** keccak256(request_hash || output_hash || uint256_be(timestamp)) as 32 bytes. */
export function msgHash(reqHashHex, outHashHex, timestamp) {
  return getBytes(keccak256(concat(["0x" + strip0x(reqHashHex), "0x" + strip0x(outHashHex), zeroPadValue(toBeHex(BigInt(timestamp)), 32)])));
}

const PSS = { padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
export function signMsgHash(privateKey, digest32) {
  return crypto.sign("sha256", Buffer.from(digest32), { key: privateKey, ...PSS }).toString("base64");
}
export function verifyMsgHash(publicKey, digest32, signatureB64) {
  try {
    return crypto.verify("sha256", Buffer.from(digest32), { key: publicKey, ...PSS }, Buffer.from(signatureB64, "base64"));
  } catch { return false; }
}
export function spkiDer(publicKey) { const k = publicKey instanceof crypto.KeyObject && publicKey.type === "public" ? publicKey : crypto.createPublicKey(publicKey); return k.export({ type: "spki", format: "der" }); }
export const teeIdOf = (publicKey) => keccak256(spkiDer(publicKey));

/** Signs (request, output) at `timestamp` (Unix seconds); returns the tee_* response fields. */
export function signResponse({ privateKey, teeId, canonical, outputText, timestamp }) {
  const rh = requestHash(canonical);
  const oh = outputHash(outputText);
  return {
    tee_signature: signMsgHash(privateKey, msgHash(rh, oh, timestamp)),
    tee_request_hash: rh,
    tee_output_hash: oh,
    tee_timestamp: timestamp,
    tee_id: teeId,
  };
}
