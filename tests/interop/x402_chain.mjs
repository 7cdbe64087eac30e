// A private chain with real x402 servers for verinfer's payment tests:
//  - anvil with chain id 84532, so x402 v1's network name "base-sepolia" names it
//  - DevUSDC (EIP-3009 token, devnet/contracts), Permit2 from its canonical
//    init code (@uniswap/uniswapx-sdk) through the deterministic CREATE2
//    deployer (lands at 0x000000000022D473030F116dDEE9F6B43aC78BA3 only if the
//    code is canonical), and an upto proxy (contracts/) at @x402/evm's address
//  - an x402 facilitator: @x402/core + @x402/evm exact (v2 and v1) and upto
//  - a v1 resource server: the real x402-express 1.x middleware (X-PAYMENT)
//  - a v2 upto resource server: @x402/express, charging 30% of the permit
// Prints one JSON line with URLs, addresses and the payer's (throwaway) key,
// then serves until its stdin closes. Run: node tests/interop/x402_chain.mjs
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import express5 from "express";
import { createWalletClient, createPublicClient, publicActions, http, defineChain, getAddress, concat, parseAbi } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { x402Facilitator } from "@x402/core/facilitator";
import { HTTPFacilitatorClient } from "@x402/core/server";
import { toFacilitatorEvmSigner, x402UptoPermit2ProxyAddress } from "@x402/evm";
import { registerExactEvmScheme } from "@x402/evm/exact/facilitator";
import { UptoEvmScheme as UptoFacilitatorScheme } from "@x402/evm/upto/facilitator";
import { UptoEvmScheme as UptoServerScheme } from "@x402/evm/upto/server";
import { paymentMiddleware as paymentMiddlewareV2, x402ResourceServer, setSettlementOverrides } from "@x402/express";
import { paymentMiddleware as paymentMiddlewareV1 } from "x402-express";

const require = createRequire(import.meta.url);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const ANVIL = path.join(ROOT, "devnet/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
const HOST = "127.0.0.1";
const CHAIN_ID = 84532;
const NETWORK = `eip155:${CHAIN_ID}`;
const CREATE2_DEPLOYER = "0x4e59b44847b379578588920ca78fbf26c0b4956c";
const PERMIT2 = "0x000000000022D473030F116dDEE9F6B43aC78BA3";
const PERMIT2_SALT = "0x0000000000000000000000000000000000000000d3af2663da51c10215000000";
const PRICE = "10000";             // 0.01 dUSDC
const UPTO_CHARGE_PERCENT = "30%";  // what the upto server settles of the permit
const MNEMONIC = "test test test test test test test test test test test junk";  // public dev accounts
const [deployer, facilitatorKey, payTo, payer] = [0, 1, 2, 3].map((i) => mnemonicToAccount(MNEMONIC, { addressIndex: i }));
const log = (...a) => process.stderr.write(`[x402_chain] ${a.join(" ")}\n`);

// ---------- chain ----------
const anvil = spawn(ANVIL, ["--host", HOST, "--port", "0", "--chain-id", String(CHAIN_ID), "--accounts", "5"],
  { stdio: ["ignore", "pipe", "inherit"] });
const rpcUrl = await new Promise((resolve, reject) => {
  let seen = "";
  anvil.stdout.on("data", (d) => {
    seen += d;
    const m = seen.match(/Listening on ([\d.]+:\d+)/);
    if (m) resolve(`http://${m[1]}`);
  });
  anvil.on("exit", (code) => reject(new Error(`anvil exited (${code}): ${seen}`)));
});
anvil.stdout.resume();
process.on("exit", () => anvil.kill("SIGTERM"));  // also when start-up fails
const chain = defineChain({ id: CHAIN_ID, name: "x402 test chain", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: [rpcUrl] } } });
const pub = createPublicClient({ chain, transport: http(rpcUrl), pollingInterval: 50 });
const wallet = (account) => createWalletClient({ account, chain, transport: http(rpcUrl), pollingInterval: 50 });
const mined = async (hash) => {
  const r = await pub.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  if (r.status !== "success") throw new Error(`transaction ${hash} reverted`);
  return r;
};

function compile() {
  const solc = require("solc");
  const sources = {
    "DevUSDC.sol": { content: fs.readFileSync(path.join(ROOT, "devnet/contracts/DevUSDC.sol"), "utf8") },
    "X402UptoPermit2Proxy.sol": { content: fs.readFileSync(path.join(HERE, "contracts/X402UptoPermit2Proxy.sol"), "utf8") },
  };
  const out = JSON.parse(solc.compile(JSON.stringify({ language: "Solidity", sources, settings: {
    optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun",
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } } } })));
  const errors = (out.errors || []).filter((e) => e.severity === "error");
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
  return { token: out.contracts["DevUSDC.sol"].DevUSDC, proxy: out.contracts["X402UptoPermit2Proxy.sol"].X402UptoPermit2Proxy };
}
const { token: tokenArtifact, proxy: proxyArtifact } = compile();

// Permit2's canonical init code, as the Uniswap SDK ships it.
const factorySource = fs.readFileSync(path.join(HERE,
  "node_modules/@uniswap/uniswapx-sdk/dist/cjs/src/contracts/factories/Permit2__factory.js"), "utf8");
const permit2InitCode = factorySource.match(/_bytecode\s*=\s*"(0x[0-9a-fA-F]+)"/)[1];
if ((await pub.getCode({ address: CREATE2_DEPLOYER })) === undefined) throw new Error("anvil has no CREATE2 deployer");
await mined(await wallet(deployer).sendTransaction({ to: CREATE2_DEPLOYER, data: concat([PERMIT2_SALT, permit2InitCode]) }));
const permit2Code = await pub.getCode({ address: PERMIT2 });
if (!permit2Code || permit2Code === "0x") throw new Error("Permit2 did not land at its canonical address: the init code is not canonical");

await pub.request({ method: "anvil_setCode", params: [x402UptoPermit2ProxyAddress, "0x" + proxyArtifact.evm.deployedBytecode.object] });
const tokenAbi = tokenArtifact.abi;
const deployTx = await wallet(deployer).deployContract({ abi: tokenAbi, bytecode: "0x" + tokenArtifact.evm.bytecode.object,
  args: ["Devnet USD Coin", "2"] });
const token = getAddress((await mined(deployTx)).contractAddress);
await mined(await wallet(deployer).writeContract({ address: token, abi: tokenAbi, functionName: "mint", args: [payer.address, 1_000_000_000_000n] }));
// upto's one-time step: the payer lets Permit2 move its tokens.
await mined(await wallet(payer).writeContract({ address: token, abi: parseAbi(["function approve(address,uint256) returns (bool)"]),
  functionName: "approve", args: [PERMIT2, 2n ** 256n - 1n] }));

// ---------- facilitator ----------
// Reads go through the wallet client too: viem then makes eth_call from the
// facilitator's account, which the upto proxy's simulation needs.
const facilitatorWallet = wallet(facilitatorKey).extend(publicActions);
const signer = toFacilitatorEvmSigner({
  address: facilitatorKey.address,
  readContract: (a) => facilitatorWallet.readContract(a),
  verifyTypedData: (a) => facilitatorWallet.verifyTypedData(a),
  writeContract: (a) => facilitatorWallet.writeContract(a),
  sendTransaction: (a) => facilitatorWallet.sendTransaction(a),
  waitForTransactionReceipt: (a) => pub.waitForTransactionReceipt({ pollingInterval: 50, ...a }),
  getCode: (a) => pub.getCode(a),
}, { confirmationTimeoutMs: 20000 });
const facilitator = new x402Facilitator();
registerExactEvmScheme(facilitator, { signer, networks: NETWORK });  // v2 exact here, v1 exact on named networks
facilitator.register(NETWORK, new UptoFacilitatorScheme(signer));
const safe = (o) => JSON.parse(JSON.stringify(o, (_, v) => (typeof v === "bigint" ? v.toString() : v)));
const settled = [];  // what the facilitator settled, for the test to compare with the chain
const facilitatorApp = express5();
facilitatorApp.use(express5.json());
facilitatorApp.get("/supported", (req, res) => res.json(safe(facilitator.getSupported())));
facilitatorApp.post("/verify", async (req, res, next) => {
  try {
    const r = await facilitator.verify(req.body.paymentPayload, req.body.paymentRequirements);
    if (!r.isValid) log("verify: invalid", r.invalidReason, r.invalidMessage || "");
    res.json(safe(r));
  } catch (e) { next(e); }
});
facilitatorApp.post("/settle", async (req, res, next) => {
  try {
    const r = await facilitator.settle(req.body.paymentPayload, req.body.paymentRequirements);
    settled.push({ version: req.body.paymentPayload?.x402Version, ...safe(r) });
    log(`settle v${req.body.paymentPayload?.x402Version}: success=${r.success} tx=${r.transaction || "-"} ${r.errorReason || ""}`);
    res.json(safe(r));
  } catch (e) { next(e); }
});
facilitatorApp.get("/settled", (req, res) => res.json(settled));
const listen = (app) => new Promise((resolve) => {
  const server = app.listen(0, HOST, () => resolve({ server, url: `http://${HOST}:${server.address().port}` }));
});
const facilitatorServer = await listen(facilitatorApp);

// ---------- v1 resource server: x402-express 1.x ----------
const v1App = express5();
v1App.use(paymentMiddlewareV1(payTo.address, {
  "POST /v1/paid": {
    price: { amount: PRICE, asset: { address: token, decimals: 6, eip712: { name: "Devnet USD Coin", version: "2" } } },
    network: "base-sepolia",
    config: { description: "verinfer x402 v1 test resource", mimeType: "application/json" },
  },
}, { url: facilitatorServer.url }));
v1App.post("/v1/paid", (req, res) => res.json({ paid: true, version: 1 }));
const v1Server = await listen(v1App);

// ---------- v2 upto resource server: @x402/express ----------
const uptoApp = express5();
const resourceServer = new x402ResourceServer(new HTTPFacilitatorClient({ url: facilitatorServer.url }))
  .register(NETWORK, new UptoServerScheme());
uptoApp.use(paymentMiddlewareV2({
  "POST /v1/metered": {
    accepts: { scheme: "upto", network: NETWORK, payTo: payTo.address, maxTimeoutSeconds: 300,
      price: { amount: PRICE, asset: token, extra: { name: "Devnet USD Coin", version: "2" } } },
    description: "verinfer x402 upto test resource", mimeType: "application/json",
  },
}, resourceServer));
uptoApp.post("/v1/metered", (req, res) => {
  setSettlementOverrides(res, { amount: UPTO_CHARGE_PERCENT });  // the metered charge, after the work
  res.json({ paid: true, scheme: "upto" });
});
const uptoServer = await listen(uptoApp);

process.stdout.write(JSON.stringify({
  rpcUrl, chainId: CHAIN_ID, network: NETWORK, token, permit2: PERMIT2, uptoProxy: x402UptoPermit2ProxyAddress,
  payTo: payTo.address, facilitator: facilitatorKey.address, price: PRICE, uptoChargePercent: UPTO_CHARGE_PERCENT,
  payer: { address: payer.address, privateKey: "0x" + Buffer.from(payer.getHdKey().privateKey).toString("hex") },
  urls: { facilitator: facilitatorServer.url, v1: `${v1Server.url}/v1/paid`, upto: `${uptoServer.url}/v1/metered` },
}) + "\n");

// Serve until the test closes our stdin (or goes away), then take anvil down with us.
const stop = () => { anvil.kill("SIGTERM"); process.exit(0); };
process.stdin.on("end", stop);
process.stdin.on("error", stop);
process.stdin.resume();
process.on("SIGTERM", stop);
