// Oblivious HTTP, gateway side (RFC 9458 + draft-ietf-ohai-chunked-ohttp) as OpenGradient's private path uses it
// (PROTOCOL.md section 8). HPKE comes from @hpke/* (an implementation independent of verinfer's), so every devnet
// call over the private path is an interop test. The request plaintext is the JSON body itself (not Binary HTTP).
import crypto from "node:crypto";
import { CipherSuite, HkdfSha256 } from "@hpke/core";
import { Chacha20Poly1305 } from "@hpke/chacha20poly1305";
import { DhkemX25519HkdfSha256 } from "@hpke/dhkem-x25519";
import { keccak256, concat, zeroPadValue, toBeHex, toUtf8Bytes } from "ethers";

export const KEY_ID = 1;
export const KEM_ID = 0x0020, KDF_ID = 0x0001, AEAD_ID = 0x0003;
export const MIN_REQUEST = 7 + 32 + 16;          // header + enc + AEAD tag
export const MAX_REQUEST = 512 * 1024;
export const RESPONSE_MEDIA_TYPE = "message/ohttp-res";
export const CHUNKED_MEDIA_TYPE = "message/ohttp-chunked-res";
const REQUEST_LABEL = "message/bhttp request";
const RESPONSE_LABEL = "message/bhttp response";
const CHUNKED_LABEL = "message/bhttp chunked response";
const NONCE_SIZE = 32;                           // max(Nn, Nk) for ChaCha20-Poly1305

export class OhttpError extends Error { constructor(status, m) { super(m); this.status = status; } }

const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Chacha20Poly1305() });
const u8 = (b) => new Uint8Array(b);
const u16 = (v) => [v >> 8, v & 0xff];
const header = (keyId) => Buffer.from([keyId, ...u16(KEM_ID), ...u16(KDF_ID), ...u16(AEAD_ID)]);

/** RFC 9458 section 3: key_id || kem_id || public key || u16 length || (kdf_id, aead_id). */
export function keyConfigOf(keyId, publicKey) {
  return Buffer.concat([Buffer.from([keyId, ...u16(KEM_ID)]), Buffer.from(publicKey), Buffer.from([0, 4, ...u16(KDF_ID), ...u16(AEAD_ID)])]);
}

/** OpenGradient's configHash (TEERegistryV2.computeOHTTPConfigHash): 32-byte words, dynamic fields pre-hashed. */
export function configHash(teeId, c) {
  const word = (v) => zeroPadValue(toBeHex(v), 32);
  return keccak256(concat([keccak256(toUtf8Bytes("OPENGRADIENT_TEE_OHTTP_CONFIG_V1")), teeId, word(c.keyId), word(c.kemId), word(c.kdfId),
    word(c.aeadId), keccak256(c.publicKey), keccak256(c.keyConfig)]));
}

export async function generateKey(keyId = KEY_ID) {
  const pair = await suite.kem.generateKeyPair();
  const publicKey = Buffer.from(await suite.kem.serializePublicKey(pair.publicKey));
  return { keyId, pair, publicKey, keyConfig: keyConfigOf(keyId, publicKey), kemId: KEM_ID, kdfId: KDF_ID, aeadId: AEAD_ID };
}

/** Opens a message/ohttp-req body; errors carry the HTTP status to answer with (plaintext JSON). */
export async function decapsulate(key, wire) {
  if (wire.length > MAX_REQUEST) throw new OhttpError(413, "encapsulated request too large");
  if (wire.length < MIN_REQUEST) throw new OhttpError(400, `encapsulated request too short (${wire.length} bytes)`);
  const hdr = wire.subarray(0, 7);
  if (!hdr.equals(header(key.keyId))) throw new OhttpError(400, "unknown key id or unsupported suite");
  const enc = Buffer.from(wire.subarray(7, 39));
  const info = Buffer.concat([Buffer.from(REQUEST_LABEL), Buffer.from([0]), hdr]);
  try {
    const ctx = await suite.createRecipientContext({ recipientKey: key.pair, enc: u8(enc).buffer, info: u8(info).buffer });
    const plaintext = Buffer.from(await ctx.open(u8(wire.subarray(39)).buffer, new ArrayBuffer(0)));
    return { plaintext, ctx, enc };
  } catch {
    throw new OhttpError(400, "malformed encapsulated request");  // one answer for every failed open
  }
}

// RFC 9458 section 4.4: prk = Extract(enc || response_nonce, Export(label, 32)); key, nonce = Expand(prk, ...).
async function responseKeys(d, label, responseNonce) {
  const secret = Buffer.from(await d.ctx.export(u8(Buffer.from(label)).buffer, 32));
  const prk = crypto.createHmac("sha256", Buffer.concat([d.enc, responseNonce])).update(secret).digest();
  const expand = (info, n) => crypto.createHmac("sha256", prk).update(Buffer.concat([Buffer.from(info), Buffer.from([1])])).digest().subarray(0, n);
  return { key: expand("key", 32), nonce: expand("nonce", 12) };
}

function aeadSeal(key, nonce, aad, plaintext) {
  const c = crypto.createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
  c.setAAD(Buffer.from(aad));
  return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
}

/** Single-shot response: response_nonce(32) || AEAD(key, nonce, "", plaintext). */
export async function sealResponse(d, plaintext) {
  const responseNonce = crypto.randomBytes(NONCE_SIZE);
  const { key, nonce } = await responseKeys(d, RESPONSE_LABEL, responseNonce);
  return Buffer.concat([responseNonce, aeadSeal(key, nonce, "", plaintext)]);
}

/** QUIC variable-length integer (RFC 9000 section 16), shortest form. */
export function varint(n) {
  if (n < 0x40) return Buffer.from([n]);
  if (n < 0x4000) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  if (n < 0x40000000) { const b = Buffer.alloc(4); b.writeUInt32BE(n); b[0] |= 0x80; return b; }
  const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(n)); b[0] |= 0xc0; return b;
}

/** Chunked response: start() gives the response nonce, then chunk(pt) / final(pt) the framed sealed chunks. */
export async function chunkedSealer(d) {
  const responseNonce = crypto.randomBytes(NONCE_SIZE);
  const { key, nonce } = await responseKeys(d, CHUNKED_LABEL, responseNonce);
  let counter = 0n;
  const nextNonce = () => {
    const n = Buffer.from(nonce);
    const c = Buffer.alloc(12); c.writeBigUInt64BE(counter++, 4);
    for (let i = 0; i < 12; i++) n[i] ^= c[i];
    return n;
  };
  return {
    start: () => responseNonce,
    chunk: (pt) => { const s = aeadSeal(key, nextNonce(), "", pt); return Buffer.concat([varint(s.length), s]); },
    final: (pt) => Buffer.concat([varint(0), aeadSeal(key, nextNonce(), "final", pt)]),
  };
}
