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
export function loadArtifacts() { return readJson(runPath("artifacts.json")); }
export function contractAt(name, runner) {
  const d = loadDeployment();
  const a = loadArtifacts()[name];
  return new Contract(d.contracts[name], a.abi, runner);
}
