// Nitro-format attestation documents signed by the devnet P-384 chain (root -> intermediate -> leaf).
// COSE_Sign1 = [protected bstr {1: -35}, unprotected {}, payload bstr, signature (96 bytes r||s)],
// signature over CBOR Sig_structure ["Signature1", protected, h'', payload] with ECDSA P-384 / SHA-384.
import crypto from "node:crypto";
import fs from "node:fs";
import { encode } from "cborg";

const derOf = (pemPath) => Buffer.from(new crypto.X509Certificate(fs.readFileSync(pemPath)).raw);
const PROTECTED = Buffer.from(encode(new Map([[1, -35]])));  // a1 01 38 22

export class Attester {
  constructor(pki) {
    this.leafKey = crypto.createPrivateKey(fs.readFileSync(pki.leafKey));
    this.leafDer = derOf(pki.leafPem);
    this.cabundle = [derOf(pki.rootPem), derOf(pki.intermediatePem)];  // root first
    this.moduleId = "i-devnet0000000000-enc0000000000000000";
  }

  /** user_data = 0x1220 || sha256(TLS cert DER) || 0x1220 || sha256(signing key SPKI DER) (68 bytes). */
  static userData(tlsCertDer, signingSpkiDer) {
    const h = (b) => crypto.createHash("sha256").update(b).digest();
    return Buffer.concat([Buffer.from([0x12, 0x20]), h(tlsCertDer), Buffer.from([0x12, 0x20]), h(signingSpkiDer)]);
  }

  /** Returns the COSE_Sign1 bytes. pcrs: {index: Buffer(48)}; nonce, userData, publicKey: Buffer or null. */
  document({ pcrs, nonce = null, userData = null, publicKey = null, timestampMs = Date.now() }) {
    const pcrMap = new Map(Object.entries(pcrs).map(([k, v]) => [Number(k), new Uint8Array(v)]));
    const payload = Buffer.from(encode(new Map([
      ["module_id", this.moduleId],
      ["digest", "SHA384"],
      ["timestamp", timestampMs],
      ["pcrs", pcrMap],
      ["certificate", new Uint8Array(this.leafDer)],
      ["cabundle", this.cabundle.map((d) => new Uint8Array(d))],
      ["public_key", publicKey ? new Uint8Array(publicKey) : null],
      ["user_data", userData ? new Uint8Array(userData) : null],
      ["nonce", nonce ? new Uint8Array(nonce) : null],
    ]), { mapSorter: () => 0 }));  // keep the Nitro field order
    const sigStructure = encode(["Signature1", new Uint8Array(PROTECTED), new Uint8Array(0), new Uint8Array(payload)]);
    const signature = crypto.sign("sha384", sigStructure, { key: this.leafKey, dsaEncoding: "ieee-p1363" });
    return Buffer.from(encode([new Uint8Array(PROTECTED), new Map(), new Uint8Array(payload), new Uint8Array(signature)]));
  }
}
