// Makes real paid calls on a running devnet (x402 through @x402/fetch, as a
// wallet would) and prints what a verinfer client would hold afterwards:
// the responses, their settlement headers, the decoded PAYMENT-RESPONSE and
// the batch job. Run with cwd = devnet/ (its node_modules) and the script on
// stdin: node --input-type=module < paid_calls.mjs
import { readFileSync } from "node:fs";
import { wrapFetchWithPayment, x402Client, decodePaymentResponseHeader } from "@x402/fetch";
import { ExactEvmScheme } from "@x402/evm";
import { privateKeyToAccount } from "viem/accounts";

const P = JSON.parse(readFileSync(process.env.VERINFER_DEVNET_PROFILE || "run/profile.json", "utf8"));
const client = new x402Client().register(P.chain.network, new ExactEvmScheme(privateKeyToAccount(P.testPayer.privateKey)));
// Pay at most the advertised price for the devnet token, nothing else.
client.setSpendControls({ allowedAssets: [{ network: P.chain.network, asset: P.token.address, maxAmountPerPayment: String(P.x402.amount) }] });
const payFetch = wrapFetchWithPayment(fetch, client);

async function call(content, settlement) {
  const r = await payFetch(`${P.urls.gateway}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", "X-SETTLEMENT-TYPE": settlement },
    body: JSON.stringify({ model: "gpt-4.1", messages: [{ role: "user", content }], temperature: 0.0 }),
  });
  const headers = Object.fromEntries(r.headers.entries());
  const body = await r.json();
  if (r.status !== 200) throw new Error(`status ${r.status}: ${JSON.stringify(body)}`);
  return { body, headers, payment: decodePaymentResponseHeader(headers["payment-response"]) };
}

const individual = await call("settle me alone", "individual");
const batch = [await call("batch one", "batch"), await call("batch two", "batch")];
await fetch(`${P.urls.facilitator}/admin/flush`, { method: "POST" });
for (const b of batch) {
  b.job = await (await fetch(`${P.urls.facilitator}/v1/settlements/${b.headers["x-settlement-job-id"]}`)).json();
}
process.stdout.write(JSON.stringify({ individual, batch }) + "\n");
