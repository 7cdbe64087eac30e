// Captures the x402 headers that the real @x402/fetch client (with @x402/evm)
// sends and receives on the devnet, so verinfer can be checked against them.
// Run with cwd = devnet/ and the script on stdin.
import { readFileSync } from "node:fs";
import { wrapFetchWithPayment, x402Client } from "@x402/fetch";
import { ExactEvmScheme } from "@x402/evm";
import { privateKeyToAccount } from "viem/accounts";

const P = JSON.parse(readFileSync(process.env.VERINFER_DEVNET_PROFILE || "run/profile.json", "utf8"));
const client = new x402Client().register(P.chain.network, new ExactEvmScheme(privateKeyToAccount(P.testPayer.privateKey)));
client.setSpendControls({ allowedAssets: [{ network: P.chain.network, asset: P.token.address, maxAmountPerPayment: String(P.x402.amount) }] });

const seen = { paymentSignature: [], paymentRequired: [], paymentResponse: [] };
async function capturingFetch(input, init) {
  const request = new Request(input, init);
  const sig = request.headers.get("payment-signature");
  if (sig) seen.paymentSignature.push(sig);
  const response = await fetch(request);
  const required = response.headers.get("payment-required");
  if (required) seen.paymentRequired.push(required);
  const settled = response.headers.get("payment-response");
  if (settled) seen.paymentResponse.push(settled);
  return response;
}

const r = await wrapFetchWithPayment(capturingFetch, client)(`${P.urls.gateway}/v1/chat/completions`, {
  method: "POST",
  headers: { "content-type": "application/json", "X-SETTLEMENT-TYPE": "private" },
  body: JSON.stringify({ model: "gpt-4.1", messages: [{ role: "user", content: "interop" }] }),
});
if (r.status !== 200) throw new Error(`status ${r.status}`);
process.stdout.write(JSON.stringify({ ...seen, payer: privateKeyToAccount(P.testPayer.privateKey).address }) + "\n");
