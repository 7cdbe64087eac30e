// Random EIP-712 typed data with ethers' answers, one JSON case per line:
//   node eip712_cases.cjs SEED COUNT
// Each case: typed_data (eth_signTypedData_v4, EIP712Domain declared), key,
// and ethers' encode_type, domain_separator, struct_hash, digest, signature.
"use strict";
const { TypedDataEncoder, Wallet, SigningKey } = require("ethers");
const { Rng } = require("./random.cjs");

function atomicType(rng) {
  const roll = rng.int(9);
  if (roll === 0) return "address";
  if (roll === 1) return "bool";
  if (roll === 2) return "string";
  if (roll === 3) return "bytes";
  if (roll === 4) return "bytes" + (1 + rng.int(32));
  if (roll <= 6) return "uint" + 8 * (1 + rng.int(32));
  return "int" + 8 * (1 + rng.int(32));
}

function withArrays(rng, base) {
  let t = base;
  const dims = rng.chance(0.3) ? 1 + rng.int(2) : 0;
  for (let i = 0; i < dims; i++) t += rng.chance(0.5) ? "[]" : "[" + (1 + rng.int(3)) + "]";
  return t;
}

function makeTypes(rng) {
  const count = 1 + rng.int(4);
  const names = [];
  while (names.length < count) {
    const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_";
    let n = rng.pick(["Mail", "Order", "Item", "Permit", "Z", "a", "Node"]);
    n += letters[rng.int(letters.length)] + rng.int(100);
    if (!names.includes(n)) names.push(n);
  }
  const types = {};
  names.forEach((name, i) => {
    const fields = [];
    const fieldCount = 1 + rng.int(5);
    for (let f = 0; f < fieldCount; f++) {
      // Only later structs may be referenced: no cycles by construction.
      const later = names.slice(i + 1);
      const base = later.length && rng.chance(0.35) ? rng.pick(later) : atomicType(rng);
      fields.push({ name: "f" + f + rng.pick(["", "x", "_id", "From"]), type: withArrays(rng, base) });
    }
    types[name] = fields;
  });
  // Keep only what the primary type reaches: ethers infers the primary type
  // as the one no other type references, so there must be exactly one.
  const reached = new Set([names[0]]);
  const stack = [names[0]];
  while (stack.length) {
    for (const f of types[stack.pop()]) {
      const base = f.type.replace(/\[.*$/, "");
      if (types[base] && !reached.has(base)) {
        reached.add(base);
        stack.push(base);
      }
    }
  }
  for (const name of names) if (!reached.has(name)) delete types[name];
  return { types, primary: names[0] };
}

function valueOf(rng, types, type) {
  const m = type.match(/^(.*)\[(\d*)\]$/);
  if (m) {
    const length = m[2] === "" ? rng.pick([0, 1, 2, 3]) : Number(m[2]);
    return Array.from({ length }, () => valueOf(rng, types, m[1]));
  }
  if (types[type]) {
    const out = {};
    for (const f of types[type]) out[f.name] = valueOf(rng, types, f.type);
    return out;
  }
  if (type === "address") return rng.address();
  if (type === "bool") return rng.chance(0.5);
  if (type === "string") return rng.text();
  if (type === "bytes") return rng.hex(rng.pick([0, 1, 31, 32, 33, 100]));
  if (type.startsWith("bytes")) return rng.hex(Number(type.slice(5)));
  const signed = type.startsWith("int");
  return rng.integer(signed, Number(type.slice(signed ? 3 : 4))).json;
}

function makeDomain(rng) {
  const all = [
    ["name", "string", () => rng.text()],
    ["version", "string", () => rng.pick(["1", "2", "0.1", ""])],
    ["chainId", "uint256", () => rng.integer(false, rng.pick([16, 64, 256])).json],
    ["verifyingContract", "address", () => rng.address()],
    ["salt", "bytes32", () => rng.hex(32)],
  ];
  const domain = {};
  const fields = [];
  for (const [name, type, make] of all) {
    if (rng.chance(0.7)) {
      domain[name] = make();
      fields.push({ name, type });
    }
  }
  return { domain, fields };
}

function main() {
  const seed = Number(process.argv[2] || 1);
  const count = Number(process.argv[3] || 10);
  const rng = new Rng(seed);
  const lines = [];
  for (let i = 0; i < count; i++) {
    const { types, primary } = makeTypes(rng);
    const message = valueOf(rng, types, primary);
    const { domain, fields } = makeDomain(rng);
    const key = rng.privateKey();
    const encoder = TypedDataEncoder.from(types);
    const digest = TypedDataEncoder.hash(domain, types, message);
    const sig = new SigningKey(key).sign(digest);
    lines.push(JSON.stringify({
      typed_data: { types: { EIP712Domain: fields, ...types }, primaryType: primary, domain, message },
      key,
      encode_type: encoder.encodeType(primary),
      domain_separator: TypedDataEncoder.hashDomain(domain),
      struct_hash: TypedDataEncoder.hashStruct(primary, types, message),
      digest,
      signature: sig.serialized,
      address: new Wallet(key).address,
    }));
  }
  process.stdout.write(lines.join("\n") + "\n");
}

main();
