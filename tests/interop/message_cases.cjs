// Random personal_sign (EIP-191) messages with ethers' digests and
// signatures, one JSON case per line:   node message_cases.cjs SEED COUNT
"use strict";
const { hashMessage, Wallet, toUtf8Bytes } = require("ethers");
const { Rng } = require("./random.cjs");

function main() {
  const seed = Number(process.argv[2] || 1);
  const count = Number(process.argv[3] || 10);
  const rng = new Rng(seed);
  const lines = [];
  for (let i = 0; i < count; i++) {
    const message = rng.chance(0.5)
      ? rng.bytes(rng.pick([0, 1, 9, 10, 99, 100, 1000, rng.int(300)]))
      : toUtf8Bytes(rng.text());
    const key = rng.privateKey();
    const wallet = new Wallet(key);
    lines.push(JSON.stringify({
      hex: "0x" + Buffer.from(message).toString("hex"),
      digest: hashMessage(message),
      key,
      signature: wallet.signMessageSync(message),
      address: wallet.address,
    }));
  }
  process.stdout.write(lines.join("\n") + "\n");
}

main();
