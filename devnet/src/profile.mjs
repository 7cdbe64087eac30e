// Writes run/profile.json: everything a verinfer client or test needs to talk to the devnet.
import fs from "node:fs";
import {
  runPath, readJson, writeJsonAtomic, CHAIN_ID, NETWORK, RPC_URL, GATEWAY_URL, GATEWAY_TLS_URL, FACILITATOR_URL,
  BLOB_URL, RELAY_URL, PORTS, SETTINGS, TEE_TYPE_LLM,
} from "./config.mjs";
import { roleAccount } from "./accounts.mjs";

const d = readJson(runPath("deploy.json"));
const gw = fs.existsSync(runPath("gateway.json")) ? readJson(runPath("gateway.json")) : null;
const relay = fs.existsSync(runPath("relay.json")) ? readJson(runPath("relay.json")) : null;
const payer = roleAccount("payer");

const profile = {
  name: "devnet",
  profileVersion: 1,
  generatedAt: new Date().toISOString(),
  chain: { chainId: CHAIN_ID, rpcUrl: RPC_URL, network: NETWORK },
  urls: {
    gateway: GATEWAY_URL,
    gatewayTls: GATEWAY_TLS_URL,
    facilitator: FACILITATOR_URL,
    blobs: BLOB_URL,
    relay: RELAY_URL,
  },
  ports: PORTS,
  contracts: {
    teeRegistry: d.contracts.TEERegistry,
    settlementRelay: d.contracts.SettlementRelay,
    paymentToken: d.contracts.DevUSDC,
    inference: d.contracts.InferenceHub,
    multicall3: d.contracts.Multicall3,
  },
  token: { address: d.contracts.DevUSDC, ...d.token, eip712: { name: d.token.name, version: d.token.version } },
  x402: {
    scheme: "exact",
    network: NETWORK,
    asset: d.contracts.DevUSDC,
    amount: SETTINGS.priceAmount,
    payTo: gw ? gw.paymentAddress : null,
    facilitatorUrl: FACILITATOR_URL,
  },
  settlement: { batchSize: SETTINGS.batchSize, batchIdleMs: SETTINGS.batchIdleMs, leafEncoding: ["bytes32", "bytes32", "bytes32", "bytes", "uint256"] },
  attestation: {
    rootPemPath: d.pki.rootPem,
    rootSha256: d.pki.rootSha256,
    pcrs: d.pcrs,
    pcrHash: d.pcrHash,
    maxAgeSeconds: 300,
    maxFutureSkewSeconds: 60,
  },
  tee: gw ? {
    teeId: gw.teeId,
    teeType: TEE_TYPE_LLM,
    publicKeyPem: gw.publicKeyPem,
    publicKeySpkiDerHex: gw.publicKeySpkiDerHex,
    gatewayUrl: gw.httpUrl,
    tlsCertificatePemPath: d.pki.tlsCertPem,
    tlsCertificateSha256: d.pki.tlsCertSha256,
    endpoint: gw.endpoint,
    walletAddress: gw.walletAddress,
    paymentAddress: gw.paymentAddress,
    registrationTx: gw.registrationTx,
    // The private path: X25519 key (id 1, fixed suite) signed by the enclave key over OpenGradient's configHash.
    ohttp: gw.ohttp ? {
      configUrl: `${gw.httpUrl}/v1/ohttp/config`,
      keyId: gw.ohttp.keyId, kemId: gw.ohttp.kemId, kdfId: gw.ohttp.kdfId, aeadId: gw.ohttp.aeadId,
      publicKeyHex: gw.ohttp.publicKeyHex, keyConfigHex: gw.ohttp.keyConfigHex,
      configHash: gw.ohttp.configHash, signature: gw.ohttp.signature, registrationTx: gw.ohttp.registrationTx,
    } : null,
  } : null,
  relay: relay ? {
    url: relay.url,
    path: "/api/v1/chat/ohttp",
    accountToken: relay.accountToken,  // DEVNET ONLY bearer token for this relay run
    payerAddress: relay.payerAddress,
  } : null,
  testPayer: {
    note: "DEVNET ONLY: standard test-mnemonic account #3, funded with dUSDC on this local chain. Worthless anywhere else; never use on a real network.",
    address: payer.address,
    privateKey: payer.privateKey,
  },
};
writeJsonAtomic(runPath("profile.json"), profile);
console.log(`[profile] wrote ${runPath("profile.json")}`);
