// Compiles devnet/contracts/*.sol with solc-js (standard JSON); caches artifacts under run/artifacts/.
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { createRequire } from "node:module";
import { DEVNET_DIR, runPath } from "./config.mjs";

const require = createRequire(import.meta.url);
const CONTRACTS_DIR = path.join(DEVNET_DIR, "contracts");

export function compileAll({ log = () => {} } = {}) {
  const files = fs.readdirSync(CONTRACTS_DIR).filter((f) => f.endsWith(".sol")).sort();
  const sources = {};
  for (const f of files) sources[f] = { content: fs.readFileSync(path.join(CONTRACTS_DIR, f), "utf8") };
  const solc = require("solc");
  const input = {
    language: "Solidity",
    sources,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "cancun",
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
    },
  };
  const key = crypto.createHash("sha256").update(solc.version()).update(JSON.stringify(input)).digest("hex").slice(0, 16);
  const dir = runPath("artifacts");
  const cacheFile = path.join(dir, `${key}.json`);
  if (fs.existsSync(cacheFile)) {
    log(`contracts: using cached artifacts ${path.basename(cacheFile)}`);
    return JSON.parse(fs.readFileSync(cacheFile, "utf8"));
  }
  const t0 = Date.now();
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (out.errors || []).filter((e) => e.severity === "error");
  for (const e of out.errors || []) if (e.severity !== "error") log(`solc: ${e.formattedMessage.trim()}`);
  if (errors.length) throw new Error("solc failed:\n" + errors.map((e) => e.formattedMessage).join("\n"));
  const artifacts = {};
  for (const [file, contracts] of Object.entries(out.contracts)) {
    for (const [name, c] of Object.entries(contracts)) {
      artifacts[name] = {
        source: `contracts/${file}`,
        abi: c.abi,
        bytecode: "0x" + c.evm.bytecode.object,
        deployedBytecode: "0x" + c.evm.deployedBytecode.object,
      };
    }
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(cacheFile, JSON.stringify({ solcVersion: solc.version(), artifacts }));
  log(`contracts: compiled ${files.length} files with solc ${solc.version()} in ${Date.now() - t0} ms`);
  return { solcVersion: solc.version(), artifacts };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = compileAll({ log: console.log });
  for (const [n, a] of Object.entries(r.artifacts)) console.log(n, (a.bytecode.length - 2) / 2, "bytes");
}
