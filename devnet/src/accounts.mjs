// Dev accounts derived from the standard mnemonic. Private keys never go to logs.
import { HDNodeWallet, Mnemonic } from "ethers";
import { MNEMONIC, ROLES } from "./config.mjs";

const cache = new Map();
export function devAccount(index) {
  if (!cache.has(index)) {
    const w = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(MNEMONIC), `m/44'/60'/0'/0/${index}`);
    cache.set(index, { address: w.address, privateKey: w.privateKey });
  }
  return cache.get(index);
}
export function roleAccount(role) {
  if (!(role in ROLES)) throw new Error(`unknown role ${role}`);
  return devAccount(ROLES[role]);
}
