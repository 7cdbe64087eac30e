import fs from "node:fs";
// ethers helpers shared by the devnet processes.
import { JsonRpcProvider, Wallet, NonceManager, Contract } from "ethers";
import { RPC_URL, CHAIN_ID, runPath, readJson } from "./config.mjs";
import { roleAccount } from "./accounts.mjs";

export function provider() {
  return new JsonRpcProvider(RPC_URL, CHAIN_ID, { staticNetwork: true, pollingInterval: 100, cacheTimeout: -1 });
}
export function signerFor(role, prov = provider()) {
  return new NonceManager(new Wallet(roleAccount(role).privateKey, prov));
}
export function loadDeployment() { return readJson(runPath("deploy.json")); }
/** Waits for bootstrap to write run/deploy.json (processes start in parallel with the deployment). */
export async function waitForDeployment(timeoutMs = 60000) {
  const until = Date.now() + timeoutMs;
  while (!fs.existsSync(runPath("deploy.json"))) {
    if (Date.now() > until) throw new Error("run/deploy.json did not appear (bootstrap failed?)");
    await new Promise((r) => setTimeout(r, 25));
  }
  return loadDeployment();
}
export function loadArtifacts() { return readJson(runPath("artifacts.json")); }
export function contractAt(name, runner) {
  const d = loadDeployment();
  const a = loadArtifacts()[name];
  return new Contract(d.contracts[name], a.abi, runner);
}
