// One-shot start-up step: compile, deploy the devnet contracts on a fresh anvil, make the PKI,
// approve the devnet PCRs, fund the payer and the relay. Writes run/deploy.json and run/artifacts.json.
import fs from "node:fs";
import { ContractFactory, keccak256, concat, hexlify } from "ethers";
import { compileAll } from "./compile.mjs";
import { makePki } from "./pki.mjs";
import { provider, signerFor } from "./chain.mjs";
import { roleAccount } from "./accounts.mjs";
import {
  runPath, writeJsonAtomic, devnetPcrs, CHAIN_ID, MULTICALL3, SETTINGS, TOKEN_NAME, TOKEN_VERSION, TOKEN_DECIMALS,
} from "./config.mjs";

const log = (m) => console.log(`[bootstrap] ${m}`);
const t0 = Date.now();
fs.mkdirSync(runPath(), { recursive: true });

const { solcVersion, artifacts } = compileAll({ log });
writeJsonAtomic(runPath("artifacts.json"), artifacts);
const pki = makePki({ log });

const prov = provider();
const net = await prov.getNetwork();
if (Number(net.chainId) !== CHAIN_ID) throw new Error(`chain id ${net.chainId}, expected ${CHAIN_ID}`);
const deployer = signerFor("deployer", prov);

async function deploy(name, ...args) {
  const a = artifacts[name];
  const c = await new ContractFactory(a.abi, a.bytecode, deployer).deploy(...args);
  return c;
}
// Send all deployments, then wait (anvil automines each transaction).
const pending = {
  TEERegistry: await deploy("TEERegistry"),
  SettlementRelay: await deploy("SettlementRelay"),
  DevUSDC: await deploy("DevUSDC", TOKEN_NAME, TOKEN_VERSION),
  InferenceHub: await deploy("InferenceHub"),
};
const contracts = {};
for (const [n, c] of Object.entries(pending)) {
  await c.waitForDeployment();
  contracts[n] = await c.getAddress();
}
await prov.send("anvil_setCode", [MULTICALL3, artifacts.Multicall3Lite.deployedBytecode]);
contracts.Multicall3 = MULTICALL3;

const pcrs = devnetPcrs();
const pcrHash = keccak256(concat([pcrs[0], pcrs[1], pcrs[2]]));
const registry = pending.TEERegistry, relay = pending.SettlementRelay, token = pending.DevUSDC;
const txs = [
  await registry.approvePCR(pcrHash),
  await relay.setSettler(roleAccount("settler").address, true),
  await token.mint(roleAccount("payer").address, SETTINGS.payerFunds),
  await token.mint(roleAccount("relay").address, SETTINGS.payerFunds),  // the OHTTP relay pays the gateway itself
];
for (const tx of txs) {
  const r = await tx.wait();
  if (r.status !== 1) throw new Error(`bootstrap tx ${tx.hash} failed`);
}

writeJsonAtomic(runPath("deploy.json"), {
  chainId: CHAIN_ID,
  solcVersion,
  contracts,
  token: { name: TOKEN_NAME, version: TOKEN_VERSION, decimals: TOKEN_DECIMALS, symbol: "dUSDC" },
  pcrs: Object.fromEntries(Object.entries(pcrs).map(([k, v]) => [k, hexlify(v)])),
  pcrHash,
  pki,
  deployedAt: new Date().toISOString(),
});
log(`deployed ${Object.keys(contracts).join(", ")} in ${Date.now() - t0} ms`);
