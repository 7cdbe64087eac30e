// Seeded random values shared by the generators: the same seed gives the
// same cases, so a failure printed by pytest can be replayed.
"use strict";
const { getAddress, hexlify } = require("ethers");

// The secp256k1 group order (SEC 2): private keys lie in [1, N-1].
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

class Rng {
  constructor(seed) {
    // xorshift128+ seeded through splitmix-style mixing of a 32-bit seed.
    let s = BigInt.asUintN(64, BigInt(seed) * 0x9e3779b97f4a7c15n + 1n);
    const mix = () => {
      s = BigInt.asUintN(64, s + 0x9e3779b97f4a7c15n);
      let z = s;
      z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
      z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
      return z ^ (z >> 31n);
    };
    this.a = mix();
    this.b = mix();
  }
  next64() {
    let x = this.a;
    const y = this.b;
    this.a = y;
    x = BigInt.asUintN(64, x ^ (x << 23n));
    this.b = x ^ y ^ (x >> 17n) ^ (y >> 26n);
    return BigInt.asUintN(64, this.b + y);
  }
  int(n) { return Number(this.next64() % BigInt(n)); }  // 0 <= r < n (n small)
  chance(p) { return this.int(1000000) < p * 1000000; }
  pick(list) { return list[this.int(list.length)]; }
  bytes(n) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
  hex(n) { return hexlify(this.bytes(n)); }
  privateKey() {
    let key;
    do key = this.hex(32); while (BigInt(key) === 0n || BigInt(key) >= N);
    return key;
  }
  bigBits(bits) {  // uniform in [0, 2^bits), often near the edges
    const roll = this.int(6);
    const top = (1n << BigInt(bits)) - 1n;
    if (roll === 0) return 0n;
    if (roll === 1) return top;
    if (roll === 2) return BigInt(this.int(1000)) & top;
    let v = 0n;
    for (let i = 0; i < bits; i += 64) v = (v << 64n) | this.next64();
    return v & (top >> BigInt(this.int(bits)));
  }
  address() {
    const a = getAddress(this.hex(20));
    return this.chance(0.2) ? a.toLowerCase() : a;
  }
  text() {
    const alphabet = ["a", "Z", "0", " ", "\"", "\\", "\n", "\t", "é", "ß", "中", "😀", "\u0001", "/", "{"];
    const n = this.pick([0, 1, 3, 10, 31, 32, 33, 70]);
    let s = "";
    for (let i = 0; i < n; i++) s += this.pick(alphabet);
    return s;
  }
  // A uintN/intN value as JSON: a number when small, else decimal or hex text.
  integer(signed, bits) {
    let v = this.bigBits(signed ? bits - 1 : bits);
    if (signed && this.chance(0.5)) v = -v - (this.chance(0.5) ? 1n : 0n);
    const small = v >= -(2n ** 53n) + 1n && v <= 2n ** 53n - 1n;
    const form = this.int(3);
    if (form === 0 && small) return { json: Number(v), value: v };
    if (form === 1) return { json: (v < 0n ? "-0x" + (-v).toString(16) : "0x" + v.toString(16)), value: v };
    return { json: v.toString(), value: v };
  }
}

module.exports = { Rng };
