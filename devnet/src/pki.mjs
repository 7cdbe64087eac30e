// Devnet PKI made with the openssl CLI:
//  - attestation chain (P-384, ECDSA-SHA384): root CA -> intermediate CA -> leaf (signs the COSE_Sign1 documents)
//  - the gateway's self-signed TLS certificate (P-256), whose DER the attestation user_data and the registry bind.
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import { runPath } from "./config.mjs";

function ossl(args, opts = {}) {
  return execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"], ...opts });
}

export function makePki({ log = () => {} } = {}) {
  const dir = runPath("pki");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const p = (f) => path.join(dir, f);
  fs.writeFileSync(p("ext.cnf"), [
    "[ca]", "basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign",
    "subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid:always",
    "[leaf]", "basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature",
    "subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid:always", "",
  ].join("\n"));
  const t0 = Date.now();
  for (const k of ["root", "intermediate", "leaf"]) {
    ossl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", p(`${k}.key`)]);
  }
  ossl(["req", "-x509", "-new", "-key", p("root.key"), "-sha384", "-days", "3650",
    "-subj", "/C=XX/O=verinfer devnet/OU=DEVNET ONLY/CN=verinfer-devnet-nitro-root",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    "-addext", "subjectKeyIdentifier=hash", "-out", p("root.pem")]);
  const issue = (name, subj, ca, ext, days) => {
    ossl(["req", "-new", "-key", p(`${name}.key`), "-subj", subj, "-out", p(`${name}.csr`)]);
    ossl(["x509", "-req", "-in", p(`${name}.csr`), "-CA", p(`${ca}.pem`), "-CAkey", p(`${ca}.key`),
      "-set_serial", "0x" + crypto.randomBytes(8).toString("hex"), "-sha384", "-days", String(days),
      "-extfile", p("ext.cnf"), "-extensions", ext, "-out", p(`${name}.pem`)]);
  };
  issue("intermediate", "/C=XX/O=verinfer devnet/OU=DEVNET ONLY/CN=verinfer-devnet-nitro-intermediate", "root", "ca", 365);
  issue("leaf", "/C=XX/O=verinfer devnet/OU=DEVNET ONLY/CN=i-devnet0000000000-enc0000000000000000.devnet", "intermediate", "leaf", 1);
  // TLS certificate of the gateway (self-signed, P-256).
  ossl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-sha256", "-days", "30",
    "-keyout", p("tls.key"), "-subj", "/O=verinfer devnet/CN=localhost",
    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-out", p("tls.pem")]);
  for (const f of fs.readdirSync(dir)) if (f.endsWith(".key")) fs.chmodSync(p(f), 0o600);
  for (const f of fs.readdirSync(dir)) if (f.endsWith(".csr")) fs.rmSync(p(f));
  const root = new crypto.X509Certificate(fs.readFileSync(p("root.pem")));
  const tls = new crypto.X509Certificate(fs.readFileSync(p("tls.pem")));
  log(`pki: made attestation chain and TLS certificate in ${Date.now() - t0} ms`);
  return {
    dir,
    rootPem: p("root.pem"),
    intermediatePem: p("intermediate.pem"),
    leafPem: p("leaf.pem"),
    leafKey: p("leaf.key"),
    tlsCertPem: p("tls.pem"),
    tlsKey: p("tls.key"),
    rootSha256: crypto.createHash("sha256").update(root.raw).digest("hex"),
    tlsCertSha256: crypto.createHash("sha256").update(tls.raw).digest("hex"),
  };
}
