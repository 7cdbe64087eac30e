// Random ABI type lists and values with ethers' AbiCoder encoding, one JSON
// case per line:   node abi_cases.cjs SEED COUNT
// Each case: types (canonical strings), values (JSON form: integers as
// decimal text, bytes as 0x-hex, tuples and arrays as arrays), hex.
"use strict";
const { AbiCoder } = require("ethers");
const { Rng } = require("./random.cjs");

function randomType(rng, depth) {
  const roll = rng.int(depth >= 3 ? 8 : 12);
  if (roll === 0) return { t: "address" };
  if (roll === 1) return { t: "bool" };
  if (roll === 2) return { t: "string" };
  if (roll === 3) return { t: "bytes" };
  if (roll === 4) return { t: "bytes" + (1 + rng.int(32)) };
  if (roll === 5) return { t: "uint" + 8 * (1 + rng.int(32)) };
  if (roll === 6) return { t: "int" + 8 * (1 + rng.int(32)) };
  if (roll === 7) return { t: rng.pick(["uint256", "bytes32", "address"]) };
  if (roll <= 9) {
    const inner = randomType(rng, depth + 1);
    const fixed = rng.chance(0.4);
    return { t: "array", inner, size: fixed ? 1 + rng.int(3) : null };
  }
  const n = 1 + rng.int(4);
  return { t: "tuple", components: Array.from({ length: n }, () => randomType(rng, depth + 1)) };
}

function typeString(ty) {
  if (ty.t === "array") return typeString(ty.inner) + "[" + (ty.size === null ? "" : ty.size) + "]";
  if (ty.t === "tuple") return "(" + ty.components.map(typeString).join(",") + ")";
  return ty.t;
}

// Returns [json form for verinfer, value for ethers].
function randomValue(rng, ty) {
  if (ty.t === "array") {
    const n = ty.size === null ? rng.pick([0, 1, 2, 3]) : ty.size;
    const items = Array.from({ length: n }, () => randomValue(rng, ty.inner));
    return [items.map((x) => x[0]), items.map((x) => x[1])];
  }
  if (ty.t === "tuple") {
    const items = ty.components.map((c) => randomValue(rng, c));
    return [items.map((x) => x[0]), items.map((x) => x[1])];
  }
  if (ty.t === "address") {
    const a = rng.address();
    return [a, a];
  }
  if (ty.t === "bool") {
    const b = rng.chance(0.5);
    return [b, b];
  }
  if (ty.t === "string") {
    const s = rng.text();
    return [s, s];
  }
  if (ty.t === "bytes") {
    const h = rng.hex(rng.pick([0, 1, 31, 32, 33, 64, 65, 100]));
    return [h, h];
  }
  if (ty.t.startsWith("bytes")) {
    const h = rng.hex(Number(ty.t.slice(5)));
    return [h, h];
  }
  const signed = ty.t.startsWith("int");
  const { value } = rng.integer(signed, Number(ty.t.slice(signed ? 3 : 4)));
  return [value.toString(), value];
}

function main() {
  const seed = Number(process.argv[2] || 1);
  const count = Number(process.argv[3] || 10);
  const rng = new Rng(seed);
  const coder = AbiCoder.defaultAbiCoder();
  const lines = [];
  for (let i = 0; i < count; i++) {
    const tys = Array.from({ length: 1 + rng.int(4) }, () => randomType(rng, 0));
    const pairs = tys.map((ty) => randomValue(rng, ty));
    const types = tys.map(typeString);
    const hex = coder.encode(types, pairs.map((p) => p[1]));
    lines.push(JSON.stringify({ types, values: pairs.map((p) => p[0]), hex }));
  }
  process.stdout.write(lines.join("\n") + "\n");
}

main();
