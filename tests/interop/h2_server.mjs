// An HTTP/2-only TLS server (Node's http2 module, no HTTP/1.1 fallback) for
// verinfer's transport tests. Makes a throwaway self-signed certificate with
// the openssl CLI, prints {port, certSha256} as one JSON line, answers every
// request with its protocol version, and serves until stdin closes.
import http2 from "node:http2";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verinfer-h2-"));
const key = path.join(dir, "key.pem");
const cert = path.join(dir, "cert.pem");
execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
  "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=verinfer h2 test",
  "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
const certPem = fs.readFileSync(cert, "utf8");
const keyPem = fs.readFileSync(key, "utf8");
fs.rmSync(dir, { recursive: true, force: true });

const server = http2.createSecureServer({ key: keyPem, cert: certPem, allowHTTP1: false });
server.on("stream", (stream, headers) => {
  stream.respond({ ":status": 200, "content-type": "application/json" });
  stream.end(JSON.stringify({ protocol: "h2", path: headers[":path"], method: headers[":method"] }));
});
server.listen(0, "127.0.0.1", () => {
  const der = new crypto.X509Certificate(certPem).raw;
  process.stdout.write(JSON.stringify({
    port: server.address().port,
    certSha256: crypto.createHash("sha256").update(der).digest("hex"),
  }) + "\n");
});
const stop = () => { server.close(); process.exit(0); };
process.stdin.on("end", stop);
process.stdin.resume();
process.on("SIGTERM", stop);
